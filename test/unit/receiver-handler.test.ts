/**
 * The receiver's Lambda handler (lambdas/receiver/handler.ts), its composition root: the
 * environment it is deployed with is read at load time and wired into the receiver. A missing or
 * malformed variable fails the load with its name; the allow list, REQUIRE_SIGNATURE_VERSION_2 and
 * SHARED_SECRET_ARN each change which check stops a request (shown by the status a stale, signed
 * notification gets, before any network call). The receiver's own paths are in receiver.test.ts.
 */
import { basicAuth, receiverHarness } from '../support/receiver-harness';
import {
  FOREIGN_TOPIC_ARN,
  OTHER_ALLOWED_TOPIC_ARN,
  TOPIC_ARN,
  apiEvent,
  deliveryHeaders,
  notificationFields,
  sign,
} from '../support/sns-fixtures';

const { identity } = receiverHarness({ now: new Date() });

type HandlerModule = typeof import('../../lambdas/receiver/handler');

describe('Lambda handler (composition root)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  function loadHandler(): HandlerModule {
    let loaded: HandlerModule | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.isolateModules gives a fresh module only to a synchronous require
      loaded = require('../../lambdas/receiver/handler') as HandlerModule;
    });
    if (!loaded) throw new Error('handler module did not load');
    return loaded;
  }

  it('fails at load time naming the missing variables', () => {
    delete process.env.QUEUE_URL;
    delete process.env.ALLOWED_TOPIC_ARNS;
    expect(loadHandler).toThrow(/QUEUE_URL, ALLOWED_TOPIC_ARNS/);
  });

  it('refuses an empty topic list', () => {
    process.env.QUEUE_URL = 'https://sqs.ca-central-1.amazonaws.com/111122223333/events';
    process.env.ALLOWED_TOPIC_ARNS = ' , ';
    expect(loadHandler).toThrow(/ALLOWED_TOPIC_ARNS/);
  });

  it('wires the comma-separated allow list: an allowed topic gets past it, another does not', async () => {
    process.env.QUEUE_URL = 'https://sqs.ca-central-1.amazonaws.com/111122223333/events';
    process.env.ALLOWED_TOPIC_ARNS = ` ${OTHER_ALLOWED_TOPIC_ARN} ,${TOPIC_ARN}`;
    const { handler } = loadHandler();
    // Stale timestamp: refused after the allow list and before any network call.
    const stale = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const allowed = await handler(
      apiEvent(JSON.stringify(sign(notificationFields(stale), identity))),
    );
    expect(allowed.statusCode).toBe(400);
    const foreign = await handler(
      apiEvent(
        JSON.stringify(sign(notificationFields(stale, { TopicArn: FOREIGN_TOPIC_ARN }), identity)),
      ),
    );
    expect(foreign.statusCode).toBe(403);
  });

  function setBaseEnv(): void {
    process.env.QUEUE_URL = 'https://sqs.ca-central-1.amazonaws.com/111122223333/events';
    process.env.ALLOWED_TOPIC_ARNS = TOPIC_ARN;
    delete process.env.REQUIRE_SIGNATURE_VERSION_2;
    delete process.env.SHARED_SECRET_ARN;
  }
  // Stale: refused (400) after the allow list, the signature-version and credentials checks,
  // before any network call, so the status shows which check stopped it.
  const staleV1 = () =>
    apiEvent(
      JSON.stringify(
        sign(notificationFields(new Date(Date.now() - 2 * 60 * 60 * 1000)), identity, '1'),
      ),
    );

  it('wires REQUIRE_SIGNATURE_VERSION_2=true: SignatureVersion 1 is refused with 403 before the timestamp check', async () => {
    setBaseEnv();
    expect((await loadHandler().handler(staleV1())).statusCode).toBe(400);
    process.env.REQUIRE_SIGNATURE_VERSION_2 = 'false';
    expect((await loadHandler().handler(staleV1())).statusCode).toBe(400);
    process.env.REQUIRE_SIGNATURE_VERSION_2 = 'true';
    expect((await loadHandler().handler(staleV1())).statusCode).toBe(403);
  });

  it.each(['TRUE', 'yes', '1', ''])(
    'refuses REQUIRE_SIGNATURE_VERSION_2=%p at load time',
    (value) => {
      setBaseEnv();
      process.env.REQUIRE_SIGNATURE_VERSION_2 = value;
      expect(loadHandler).toThrow(/REQUIRE_SIGNATURE_VERSION_2/);
    },
  );

  it('wires SHARED_SECRET_ARN: a request without credentials gets the 401 Basic challenge; without the variable none is needed', async () => {
    setBaseEnv();
    expect((await loadHandler().handler(staleV1())).statusCode).toBe(400);
    process.env.SHARED_SECRET_ARN =
      'arn:aws:secretsmanager:ca-central-1:111122223333:secret:SharedSecret-AbC123';
    const challenged = await loadHandler().handler(staleV1());
    expect(challenged.statusCode).toBe(401);
    expect(challenged.headers?.['www-authenticate']).toMatch(/^Basic /);
  });

  it('refuses a SHARED_SECRET_ARN that is set but blank instead of running without the check', () => {
    setBaseEnv();
    process.env.SHARED_SECRET_ARN = ' ';
    expect(loadHandler).toThrow(/SHARED_SECRET_ARN/);
  });
});

describe('the shared secret, read on the first request with credentials', () => {
  const saved = { ...process.env };
  const SECRETS_MODULE = '@aws-lambda-powertools/parameters/secrets';
  const PASSWORD = 'pw-0123456789abcdefghijklmnopqrstuvwxyz';
  const state = { failingReads: 0, reads: 0 };

  beforeEach(() => {
    Object.assign(state, { failingReads: 0, reads: 0 });
    jest.resetModules();
    // Powertools' getSecret, which builds the Secrets Manager client on its first call and caches
    // the value (shared-secret-reader.ts): counted, and failing as an AWS error would.
    jest.doMock(SECRETS_MODULE, () => ({
      getSecret: () => {
        state.reads += 1;
        if (state.failingReads > 0) {
          state.failingReads -= 1;
          return Promise.reject(
            Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
          );
        }
        return Promise.resolve(PASSWORD);
      },
    }));
    process.env.QUEUE_URL = 'https://sqs.ca-central-1.amazonaws.com/111122223333/events';
    process.env.ALLOWED_TOPIC_ARNS = TOPIC_ARN;
    process.env.SHARED_SECRET_ARN =
      'arn:aws:secretsmanager:ca-central-1:111122223333:secret:SharedSecret-AbC123';
    delete process.env.REQUIRE_SIGNATURE_VERSION_2;
  });
  afterEach(() => {
    jest.dontMock(SECRETS_MODULE);
    process.env = { ...saved };
  });

  function load(): HandlerModule['handler'] {
    let loaded: HandlerModule | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.isolateModules gives a fresh module only to a synchronous require
      loaded = require('../../lambdas/receiver/handler') as HandlerModule;
    });
    if (!loaded) throw new Error('handler module did not load');
    return loaded.handler;
  }

  // Stale and signed: with the right credentials it passes the check and stops at the timestamp (400).
  const stale = (authorization?: string) => {
    const body = JSON.stringify(
      sign(notificationFields(new Date(Date.now() - 2 * 60 * 60 * 1000)), identity),
    );
    const headers = deliveryHeaders(body, false);
    return apiEvent(body, {
      headers: authorization === undefined ? headers : { ...headers, authorization },
    });
  };

  it('does not read it at start, nor for a request without credentials (401 first)', async () => {
    const handler = load();
    expect(state.reads).toBe(0);
    expect((await handler(stale())).statusCode).toBe(401);
    expect(state.reads).toBe(0);
  });

  it('reads it for a request with credentials and checks them with it', async () => {
    const handler = load();
    expect((await handler(stale(basicAuth('connector', PASSWORD)))).statusCode).toBe(400);
    expect((await handler(stale(basicAuth('connector', 'x'.repeat(40))))).statusCode).toBe(401);
    expect(state.reads).toBe(2);
  });

  it('answers 503 when the read fails (SNS retries, the Api5xx alarm fires), and reads again for the next request', async () => {
    state.failingReads = 1;
    const handler = load();
    expect((await handler(stale(basicAuth('connector', PASSWORD)))).statusCode).toBe(503);
    expect((await handler(stale(basicAuth('connector', PASSWORD)))).statusCode).toBe(400);
    expect(state.reads).toBe(2);
  });
});
