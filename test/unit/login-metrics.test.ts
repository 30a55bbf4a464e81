/**
 * Covers the marketplace login metrics: the client's `onLogin` outcome (lambdas/adapters/
 * marketplace-client.ts) turned into MarketplaceLoginFailures / MarketplaceLoginUnavailable and a
 * log line by loginReporter (lambdas/adapters/login-report.ts), through the real worker and
 * reconciler with a fake marketplace over `fetch`. A 401 or 403 on login and an unreadable secret
 * count as failures (the alarm's metric); a 503 counts apart; a good login writes a 0 failure so
 * the alarm clears. The login metrics go to their own Metrics, written at once under the service
 * both functions share (observability.ts loginMetrics), apart from the function's own counts. Nothing logged or counted holds the username, the password or the API's text.
 */
import type { SQSEvent } from 'aws-lambda';
import { CredentialsError, secretCredentials } from '../../lambdas/adapters/credentials';
import { loginReporter } from '../../lambdas/adapters/login-report';
import { type LoginOutcome, MarketplaceClient } from '../../lambdas/adapters/marketplace-client';
import { loginMetrics, onFirstMetric } from '../../lambdas/adapters/observability';
import { LOGIN_METRICS, LOGIN_SERVICE_NAME, WORKER_METRICS } from '../../lambdas/core/metric-names';
import { createReconciler } from '../../lambdas/reconciler/reconciler';
import { createWorker } from '../../lambdas/worker/worker';
import { OFFER_ID, offerDetailJson, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { CapturingLogger, RecordingMetrics, sqsRecord } from '../support/worker-observability';

const USERNAME = 'connector-login@example.org';
const PASSWORD = 'Pa55-w0rd-Never-Logged';
const ARN = 'arn:aws:secretsmanager:ca-central-1:123456789012:secret:marketplace-login-AbCdEf';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The marketplace: login answers `loginStatus` (echoing the credentials, as a careless API might); the offer read works. */
function marketplaceFetch(loginStatus: number) {
  const calls: string[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = new URL(input instanceof Request ? input.url : input);
    calls.push(url.pathname);
    if (url.pathname === '/auth/v1/login') {
      if (loginStatus === 200) return json(200, { IdToken: 'id-token-abc', ExpiresIn: 3600 });
      return json(loginStatus, {
        message: `Incorrect username or password for ${USERNAME}`,
        description: `password ${PASSWORD} rejected`,
      });
    }
    if (url.pathname === `/offers/v1/inbox/offers/${OFFER_ID}`)
      return json(200, offerDetailJson(OFFER_ID));
    return json(404, { message: 'not found' });
  };
  return { fetch, calls };
}

function client(
  fetch: typeof globalThis.fetch,
  onLogin: (outcome: LoginOutcome) => void,
  credentials = async () => ({ username: USERNAME, password: PASSWORD }),
) {
  return new MarketplaceClient({
    baseUrl: 'https://api.example.test',
    credentials,
    fetch,
    sleep: async () => undefined,
    onLogin,
  });
}

function worker(
  loginStatus: number,
  credentials?: () => Promise<{ username: string; password: string }>,
) {
  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const logins = loginRecorder();
  const api = marketplaceFetch(loginStatus);
  const store = new MemoryOfferStore();
  const run = createWorker({
    marketplace: client(api.fetch, loginReporter(logger, logins), credentials),
    store,
    units: store,
    rules: { defaultAction: 'review', rules: [] },
    role: 'supply',
    logger,
    metrics,
  });
  const decide = () =>
    run({
      Records: [sqsRecord(queuedEvent(offerEvent({ offer_id: OFFER_ID })))],
    } satisfies SQSEvent);
  return { decide, logger, metrics, logins, api };
}

/** The login metrics as the handlers build them: each published as it is added. */
const loginRecorder = () =>
  new RecordingMetrics({ serviceName: LOGIN_SERVICE_NAME, singleMetric: true });

/** Everything the function wrote: log lines and metric names and values. */
const everything = (logger: CapturingLogger, ...metrics: RecordingMetrics[]) =>
  `${logger.text()} ${JSON.stringify(metrics.map((m) => m.published))}`;

describe('worker', () => {
  it.each([401, 403])(
    'counts a login refused with %i as a login failure (and the record as failed), logging no secret',
    async (status) => {
      const { decide, logger, metrics, logins } = worker(status);

      const result = await decide();

      expect(result.batchItemFailures).toHaveLength(1);
      expect(logins.published).toEqual([{ [LOGIN_METRICS.failures]: 1 }]);
      expect(metrics.published).toEqual([expect.objectContaining({ [WORKER_METRICS.failed]: 1 })]);
      expect(metrics.published[0]).not.toHaveProperty(LOGIN_METRICS.failures);
      expect(
        logger.withMessage(
          'Marketplace login refused; check the username and password in the credentials secret',
        ),
      ).toEqual([expect.objectContaining({ level: 'ERROR', reason: 'rejected', status })]);
      const written = everything(logger, metrics, logins);
      expect(written).not.toContain(PASSWORD);
      expect(written).not.toContain(USERNAME);
      expect(written).not.toContain('id-token');
    },
  );

  it('counts a 503 on every login attempt apart, as unavailable, not as a failure', async () => {
    const { decide, logger, metrics, logins, api } = worker(503);

    await decide();

    expect(api.calls.filter((path) => path === '/auth/v1/login').length).toBeGreaterThan(1);
    expect(logins.published).toEqual([{ [LOGIN_METRICS.unavailable]: 1 }]);
    expect(metrics.published).toEqual([expect.objectContaining({ [WORKER_METRICS.failed]: 1 })]);
    expect(
      logger.withMessage(
        'Marketplace login failed; the marketplace did not answer, later calls try again',
      ),
    ).toEqual([expect.objectContaining({ level: 'WARN', reason: 'unavailable', status: 503 })]);
  });

  it('writes a 0 failure after a good login, so the alarm clears', async () => {
    const { decide, logins, api } = worker(200);

    await decide();

    expect(api.calls).toContain(`/offers/v1/inbox/offers/${OFFER_ID}`);
    expect(logins.published).toEqual([{ [LOGIN_METRICS.failures]: 0 }]);
  });

  it('counts an unreadable credentials secret as a login failure, without sending a login', async () => {
    const unreadable = secretCredentials(ARN, {
      readSecret: async () => {
        throw new Error(`Unable to transform value using 'json' transform: ${PASSWORD}`);
      },
    });
    const { decide, logger, metrics, logins, api } = worker(200, unreadable);

    await decide();

    expect(api.calls).toEqual([]);
    expect(logins.published).toEqual([{ [LOGIN_METRICS.failures]: 1 }]);
    expect(metrics.published).toEqual([expect.objectContaining({ [WORKER_METRICS.failed]: 1 })]);
    expect(
      logger.withMessage('Marketplace credentials could not be read; check the credentials secret'),
    ).toEqual([expect.objectContaining({ level: 'ERROR', reason: 'credentials' })]);
    expect(logger.withMessage('Record failed; it will be retried')).toEqual([
      expect.objectContaining({ errorName: CredentialsError.name }),
    ]);
    expect(everything(logger, metrics, logins)).not.toContain(PASSWORD);
  });
});

describe('reconciler', () => {
  it('counts a refused login as a login failure and fails the run (Lambda retries it)', async () => {
    const logger = new CapturingLogger();
    const metrics = new RecordingMetrics();
    const logins = loginRecorder();
    const api = marketplaceFetch(401);
    const send = jest.fn();
    const run = createReconciler({
      inbox: client(api.fetch, loginReporter(logger, logins)),
      store: new MemoryOfferStore(),
      queue: { send },
      logger,
      metrics,
    });

    await expect(run()).rejects.toThrow('login: HTTP 401');

    expect(send).not.toHaveBeenCalled();
    expect(logins.published).toEqual([{ [LOGIN_METRICS.failures]: 1 }]);
    expect(everything(logger, metrics, logins)).not.toContain(PASSWORD);
  });
});

describe('loginMetrics', () => {
  it('writes each login outcome at once, under the service the worker and the reconciler share', () => {
    // Powertools prints the EMF document on its own console, over process.stdout.
    const lines: string[] = [];
    const log = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const metrics = () => loginMetrics({ POWERTOOLS_METRICS_NAMESPACE: 'TestNamespace' });
      loginReporter(new CapturingLogger(), onFirstMetric(metrics))({ ok: true });
    } finally {
      log.mockRestore();
    }

    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({
        service: LOGIN_SERVICE_NAME,
        [LOGIN_METRICS.failures]: 0,
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            expect.objectContaining({ Namespace: 'TestNamespace', Dimensions: [['service']] }),
          ],
        }) as unknown,
      }),
    ]);
  });
});

describe('client', () => {
  it('reports one outcome per login, however many callers waited on it', async () => {
    const outcomes: LoginOutcome[] = [];
    const c = client(marketplaceFetch(401).fetch, (outcome) => outcomes.push(outcome));

    await Promise.allSettled([c.getInboxOffer(OFFER_ID), c.getInboxOffer(OFFER_ID)]);

    expect(outcomes).toEqual([{ ok: false, reason: 'rejected', status: 401 }]);
  });

  it('keeps the login result when the reporting callback throws', async () => {
    const c = client(marketplaceFetch(200).fetch, () => {
      throw new Error('metrics broke');
    });
    await expect(c.login()).resolves.toEqual({ expiresInSeconds: 3600 });
  });
});
