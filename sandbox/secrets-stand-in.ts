/**
 * A local stand-in for AWS Secrets Manager, `GetSecretValue` only (the JSON 1.1 protocol the AWS
 * SDK speaks), so the sandbox's worker can read its marketplace login exactly as in AWS: the real
 * `secretCredentials` adapter over Powertools' `SecretsProvider` and its cache, through the real
 * SDK client. The bad-password drill stores a wrong password, then the right one, as an operator
 * fixing the secret would; the stand-in counts the reads that reached it (cache misses and forced
 * reads), never what they returned.
 */
import { randomUUID } from 'node:crypto';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretReader } from '../lambdas/adapters/credentials';
import { EMULATOR_AWS } from './emulators';
import { listenLocal, readBody, sendJson } from './http-util';

export interface SecretsStandIn {
  /** The endpoint for a `SecretsManagerClient`. */
  endpoint: string;
  /** Creates or replaces a secret's value (a new version), as `PutSecretValue` would; returns its ARN. */
  put(name: string, value: string): string;
  /** `GetSecretValue` requests answered so far. */
  readonly reads: number;
  /** A reader for `secretCredentials`: Powertools' provider (its cache) on a client pointed here. */
  reader(): SecretReader;
  stop(): Promise<void>;
}

const TARGET = 'secretsmanager.GetSecretValue';

export async function startSecretsStandIn(): Promise<SecretsStandIn> {
  const secrets = new Map<
    string,
    { arn: string; name: string; value: string; versionId: string }
  >();
  let reads = 0;
  const error = (status: number, type: string, message: string) => ({
    status,
    body: { __type: type, message },
  });

  const server = await listenLocal((req, res) => {
    void (async () => {
      const body = (await readBody(req, 64 * 1024)).toString('utf8');
      const target = req.headers['x-amz-target'];
      let reply: { status: number; body: unknown };
      if (req.method !== 'POST' || target !== TARGET) {
        reply = error(400, 'InvalidRequestException', `only ${TARGET} is served here`);
      } else {
        const id = (JSON.parse(body) as { SecretId?: unknown }).SecretId;
        const secret = [...secrets.values()].find((s) => s.arn === id || s.name === id);
        reads += 1;
        reply = secret
          ? {
              status: 200,
              body: {
                ARN: secret.arn,
                Name: secret.name,
                VersionId: secret.versionId,
                SecretString: secret.value,
                VersionStages: ['AWSCURRENT'],
                CreatedDate: Date.now() / 1000,
              },
            }
          : error(
              400,
              'ResourceNotFoundException',
              "Secrets Manager can't find the specified secret.",
            );
      }
      const text = JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
      });
      res.end(text);
    })().catch(() => {
      if (!res.headersSent)
        sendJson(res, 500, { __type: 'InternalServiceError', message: 'stand-in failure' });
    });
  });

  return {
    endpoint: server.url,
    put(name, value) {
      const arn =
        secrets.get(name)?.arn ??
        `arn:aws:secretsmanager:${EMULATOR_AWS.region}:000000000000:secret:${name}-${randomUUID().slice(0, 6)}`;
      secrets.set(name, { arn, name, value, versionId: randomUUID() });
      return arn;
    },
    get reads() {
      return reads;
    },
    reader() {
      const provider = new SecretsProvider({
        clientConfig: { ...EMULATOR_AWS, endpoint: server.url },
      });
      return (name, options) => provider.get(name, options);
    },
    stop: () => server.close(),
  };
}
