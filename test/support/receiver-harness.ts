/**
 * The receiver unit tests' common setup (lambdas/receiver/receiver.ts): signing identities created
 * once per file (or describe block), stdout/stderr captured around each test, and a `setup()` that
 * builds `createReceiver` over a fake HttpGet serving the identity's certificate, a fake queue, a
 * Logger and Metrics, and optionally a shared secret whose reads are counted. Options cover what
 * the suites vary: allowed topics, requireSignatureVersion2, routes and a fallback route, a failing
 * queue, the clock, the logger or metrics, and the shared secret (a password or a reader).
 */
import type { KeyObject } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createReceiver } from '../../lambdas/receiver/receiver';
import { createSnsSigningIdentity, type SnsSigningIdentity } from '../../sandbox/sns-signing';
import {
  CERT_URL,
  SUBSCRIBE_URL,
  TOPIC_ARN,
  captureOutput,
  fakeHttpGet,
  fakeQueue,
  type CapturedOutput,
  type FakeHttpGet,
  type FakeQueue,
  type Served,
} from './sns-fixtures';

/** `Basic` credentials as SNS sends them from `https://user:password@host/` in the endpoint. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export interface ReceiverSetupOptions {
  /** Default: `[TOPIC_ARN]`. */
  allowedTopicArns?: string[];
  requireSignatureVersion2?: boolean;
  /** Default: the identity's certificate at CERT_URL and `<ok/>` at SUBSCRIBE_URL. */
  routes?: Record<string, Served>;
  /** Served for a URL not in `routes`; without it such a GET rejects. */
  fallback?: (url: string) => Served;
  queueError?: Error;
  /** Default: the harness's `now`. */
  now?: () => Date;
  /** Default: a DEBUG-level logger, so every line a request can write is captured. */
  logger?: Logger;
  metrics?: Metrics;
  /** The shared secret's value, or a reader for it; without it the check is off. */
  sharedSecret?: string | (() => Promise<string>);
}

export interface ReceiverSetup {
  receive: ReturnType<typeof createReceiver>;
  http: FakeHttpGet;
  queue: FakeQueue;
  /** One entry a shared-secret read. */
  secretReads: number[];
}

export interface ReceiverHarness {
  /** Usable inside tests (created in beforeAll): serves at CERT_URL by default. */
  identity: SnsSigningIdentity;
  /** Another key and certificate: what it signs does not verify against the one served. */
  otherIdentity: SnsSigningIdentity;
  /** What the current test wrote to stdout/stderr (logs and EMF metrics). */
  output: CapturedOutput;
  /** The identity's certificate, as the fake HTTP GET serves it at CERT_URL by default. */
  certServed: () => Served;
  setup(options?: ReceiverSetupOptions): ReceiverSetup;
}

export interface SigningIdentities {
  /** The identity SNS signs with: its certificate is the one served at CERT_URL. */
  identity: SnsSigningIdentity;
  /** A key SNS never had: an attacker's, or another certificate at a trusted URL. */
  other: SnsSigningIdentity;
}

/**
 * Registers a beforeAll in the calling scope that creates two signing identities, and returns
 * stand-ins that reach them, so a suite can destructure them at load time and read them from then
 * on (in later beforeAll hooks and in tests).
 */
export function useSigningIdentities(): SigningIdentities {
  let identities: [SnsSigningIdentity, SnsSigningIdentity] | undefined;
  beforeAll(async () => {
    identities = await Promise.all([createSnsSigningIdentity(), createSnsSigningIdentity()]);
  });
  const identityAt = (index: 0 | 1): SnsSigningIdentity => {
    const ready = (): SnsSigningIdentity => {
      if (identities === undefined) throw new Error('signing identities are created in beforeAll');
      return identities[index];
    };
    return {
      get certPem(): string {
        return ready().certPem;
      },
      get privateKey(): KeyObject {
        return ready().privateKey;
      },
    };
  };
  return { identity: identityAt(0), other: identityAt(1) };
}

/**
 * Registers the hooks in the calling scope (file or describe block) and returns the harness. The
 * identities and output are stand-ins that reach the objects the hooks create, so a suite can
 * destructure them at load time and use them inside its tests.
 */
export function receiverHarness(options: { now: Date }): ReceiverHarness {
  const { identity, other } = useSigningIdentities();
  let captured: CapturedOutput | undefined;
  beforeEach(() => {
    captured = captureOutput();
  });
  afterEach(() => {
    captured?.restore();
    captured = undefined;
  });

  const current = (): CapturedOutput => {
    if (captured === undefined) throw new Error('output is captured only while a test runs');
    return captured;
  };

  return {
    identity,
    otherIdentity: other,
    certServed: () => ({ status: 200, body: identity.certPem }),
    output: {
      text: () => current().text(),
      logs: () => current().logs(),
      metrics: () => current().metrics(),
      restore: () => {
        current().restore();
      },
    },
    setup: (setupOptions = {}) => {
      const http = fakeHttpGet(
        setupOptions.routes ?? {
          [CERT_URL]: { status: 200, body: identity.certPem },
          [SUBSCRIBE_URL]: { status: 200, body: '<ok/>' },
        },
        setupOptions.fallback,
      );
      const queue = fakeQueue(setupOptions.queueError);
      const secretReads: number[] = [];
      const secret = setupOptions.sharedSecret;
      const readSecret = typeof secret === 'string' ? () => Promise.resolve(secret) : secret;
      const receive = createReceiver({
        allowedTopicArns: setupOptions.allowedTopicArns ?? [TOPIC_ARN],
        queue,
        httpGet: http.httpGet,
        logger:
          setupOptions.logger ?? new Logger({ serviceName: 'receiver-test', logLevel: 'DEBUG' }),
        metrics:
          setupOptions.metrics ??
          new Metrics({ namespace: 'ReceiverTest', serviceName: 'receiver-test' }),
        now: setupOptions.now ?? (() => options.now),
        requireSignatureVersion2: setupOptions.requireSignatureVersion2,
        ...(readSecret === undefined
          ? {}
          : {
              sharedSecret: () => {
                secretReads.push(1);
                return readSecret();
              },
            }),
      });
      return { receive, http, queue, secretReads };
    },
  };
}
