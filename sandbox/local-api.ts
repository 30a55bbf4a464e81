/**
 * A local stand-in for API Gateway (HTTP API, Lambda integration with payload format 1.0, the
 * `$default` stage): a loopback HTTP server that turns each request on its one route into an
 * `APIGatewayProxyEvent` (header names lower case, as the HTTP API passes them), calls the handler
 * and writes its `APIGatewayProxyResult` back, so the receiver runs exactly as it does behind API
 * Gateway. Like the HTTP API it checks no header: the receiver refuses what is not SNS.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { BodyTooLargeError, listenLocal, type LocalServer, readBody, sendJson } from './http-util';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export interface LocalApiOptions {
  handler: ProxyHandler;
  /** The one route's path, e.g. `/sns`; other requests get the HTTP API's 404. */
  path?: string;
  stage?: string;
  port?: number;
  /** API Gateway's payload limit is 10 MB. */
  maxBodyBytes?: number;
  /** Told about a handler that threw (the HTTP API answers 500 then). */
  onHandlerError?: (error: unknown) => void;
}

export interface LocalApi extends LocalServer {
  /** The full URL of the route, e.g. `http://127.0.0.1:40125/sns`. */
  endpoint: string;
}

/** What `toProxyEvent` needs from a request; separate from node:http so it can be tested alone. */
export interface RawRequest {
  method: string;
  /** Path and query as received, e.g. `/sns?x=1`. */
  url: string;
  /** Alternating names and values with their original case, as node's `rawHeaders`. */
  rawHeaders: string[];
  body: string;
  sourceIp: string;
  host: string;
}

/** Builds the HTTP API's payload format 1.0 proxy event for a request. */
export function toProxyEvent(
  request: RawRequest,
  options: { resource: string; stage: string; requestId?: string; now?: Date },
): APIGatewayProxyEvent {
  const url = new URL(request.url, 'http://local');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i].toLowerCase();
    const value = request.rawHeaders[i + 1];
    // The HTTP API lower-cases header names; with repeats, `headers` holds the last value.
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const now = options.now ?? new Date();
  return {
    resource: options.resource,
    path: url.pathname,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    body: request.body === '' ? null : request.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'sandbox',
      authorizer: null,
      domainName: request.host,
      domainPrefix: request.host.split('.')[0] ?? request.host,
      extendedRequestId: randomUUID(),
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: headers['user-agent'] ?? null,
        userArn: null,
      },
      // The `$default` stage is served at the root: no stage in the path.
      path: options.stage === '$default' ? url.pathname : `/${options.stage}${url.pathname}`,
      protocol: 'HTTP/1.1',
      requestId: options.requestId ?? randomUUID(),
      requestTime: now.toISOString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'sandbox',
      resourcePath: options.resource,
      stage: options.stage,
    },
  };
}

/** Starts the local API on 127.0.0.1. */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const resource = options.path ?? '/sns';
  const stage = options.stage ?? '$default';
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    // Only POST /sns is routed, as in the deployed stack; the HTTP API answers anything else so.
    if (path !== resource || req.method !== 'POST') {
      sendJson(res, 404, { message: 'Not Found' });
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error: unknown) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { message: 'Request Entity Too Large' });
        return;
      }
      throw error;
    }
    const event = toProxyEvent(
      {
        method: req.method,
        url: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        body: body.toString('utf8'),
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        host: req.headers.host ?? '127.0.0.1',
      },
      { resource, stage },
    );
    let result: APIGatewayProxyResult;
    try {
      result = await options.handler(event);
    } catch (error: unknown) {
      options.onHandlerError?.(error);
      sendJson(res, 500, { message: 'Internal Server Error' });
      return;
    }
    writeResult(res, result);
  }

  const server = await listenLocal((req, res) => {
    serve(req, res).catch((error: unknown) => {
      options.onHandlerError?.(error);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  }, options.port ?? 0);
  return { ...server, endpoint: `${server.url}${resource}` };
}

function writeResult(res: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body, 'utf8');
  res.writeHead(result.statusCode, headers);
  res.end(body);
}
