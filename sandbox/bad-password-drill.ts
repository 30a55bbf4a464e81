/**
 * The bad-password drill (`npm start -- --once --scenario bad-password`): the worker's secret
 * holds a wrong marketplace password while the fixed scenario is published. Every record fails on
 * the refused login and comes back on the worker's retry schedule (scaled down for the sandbox);
 * the first offers use up their receives and reach the dead-letter queue. Then the password is
 * fixed in the secret, as an operator would: the worker must pick it up by itself (a refused
 * login re-reads the secret past its cache), the records still retrying succeed, and the dead
 * letters are redriven with `redriveDeadLetters`, the code `connector dlq redrive` runs, until
 * every offer is decided. Facts come from the boundaries that saw them: refused logins from the
 * marketplace simulator, failed records from the worker's own metric, secret reads from the
 * Secrets Manager stand-in, dead letters from SQS and the redrive.
 */
import { redriveDeadLetters } from '../cli/dead-letters';
import { secretCredentials } from '../lambdas/adapters/credentials';
import { WORKER_METRICS } from '../lambdas/worker/worker';
import { CountingMetrics } from './counting-metrics';
import { queueDepth, queueDrained } from './sandbox-queues';
import { scaledWorkerTiming } from './scaled-timing';
import { onceScenario } from './scenario';
import { startSecretsStandIn } from './secrets-stand-in';
import type { LoginCounts } from './simulator/simulator';
import { type DrillSetup, type DrillVerdict, percent, type SupplyDrill } from './supply-drills';
import { waitUntil } from './timing';

export const BAD_PASSWORD_DRILL = {
  /** The worker's retry delays scaled from 5/15/60/300 s to 1/1/1/3 s, so the DLQ is reached in seconds. */
  retryScale: 1 / 100,
  /** Steps of the fixed scenario published first and left to reach the DLQ (5 lone offers). */
  firstWaveSteps: 5,
  /** Longest wait for each phase. */
  phaseTimeoutMs: 30_000,
} as const;

const SECRET_NAME = 'sandbox/marketplace-login';

export interface BadPasswordOptions {
  /**
   * The worker's metric for refused marketplace logins, once the worker emits one: the verdict
   * then checks it rose with the refusals the marketplace counted.
   */
  loginFailureMetric?: string;
}

export async function startBadPasswordDrill(
  setup: DrillSetup,
  options: BadPasswordOptions = {},
): Promise<SupplyDrill> {
  const secrets = await startSecretsStandIn();
  const wrong = { ...setup.credentials, password: `${setup.credentials.password}-not-this-one` };
  const arn = secrets.put(SECRET_NAME, JSON.stringify(wrong));
  const metrics = new CountingMetrics();
  const measured = {
    deadLettered: 0,
    redriven: 0,
    pickupMs: undefined as number | undefined,
    refusedBeforeFix: 0,
  };

  return {
    name: 'bad-password',
    worker: {
      // As in AWS: the real adapter over Powertools' cache, reading a Secrets Manager (stand-in).
      credentials: secretCredentials(arn, { readSecret: secrets.reader() }),
      timing: scaledWorkerTiming(BAD_PASSWORD_DRILL.retryScale),
      metrics,
      quiet: true,
    },
    async play(run) {
      const steps = onceScenario();
      const delays = scaledWorkerTiming(BAD_PASSWORD_DRILL.retryScale).retryDelaysS;
      const limit = BAD_PASSWORD_DRILL.phaseTimeoutMs;
      run.print(
        `sandbox: bad-password: the worker's secret holds a wrong marketplace password; failed records come back after ${delays.join('/')} s (AWS: 5/15/60/300 s); --verbose shows the worker's error lines`,
      );
      const first = steps.slice(0, BAD_PASSWORD_DRILL.firstWaveSteps);
      for (const step of first) run.publish(step);
      const firstWave = run.published.length;
      await waitUntil(
        async () => (await queueDepth(run.sqs, run.queues.dlqUrl)) >= firstWave,
        limit,
        run.signal,
      );
      measured.deadLettered = await queueDepth(run.sqs, run.queues.dlqUrl);
      run.print(
        `sandbox: bad-password: ${measured.deadLettered} record(s) in the dead-letter queue after 5 receives each`,
      );

      const refusedBefore = run.simulator.logins().refused;
      for (const step of steps.slice(BAD_PASSWORD_DRILL.firstWaveSteps)) run.publish(step);
      const secondWave = run.published.slice(firstWave);
      run.print(
        `sandbox: ${run.published.length} offers published; the last ${secondWave.length} are failing too`,
      );
      // Each of them has met the wrong password at least once.
      await waitUntil(
        async () => run.simulator.logins().refused >= refusedBefore + secondWave.length,
        limit,
        run.signal,
      );

      measured.refusedBeforeFix = run.simulator.logins().refused;
      const acceptedBefore = run.simulator.logins().accepted;
      secrets.put(SECRET_NAME, JSON.stringify(setup.credentials));
      const fixedAt = Date.now();
      run.print(
        'sandbox: bad-password: the password is fixed in the secret (no restart, no redeploy)',
      );
      await waitUntil(
        async () => run.simulator.logins().accepted > acceptedBefore,
        limit,
        run.signal,
        50,
      );
      if (run.simulator.logins().accepted > acceptedBefore)
        measured.pickupMs = Date.now() - fixedAt;
      await waitUntil(
        async () =>
          (await run.undecided(secondWave)).length === 0 &&
          (await queueDrained(run.sqs, run.queues.url)),
        limit,
        run.signal,
      );

      const redrive = await redriveDeadLetters(run.sqs, {
        dlqUrl: run.queues.dlqUrl,
        queueUrl: run.queues.url,
      });
      measured.redriven = redrive.moved.length;
      run.print(
        `sandbox: bad-password: ${measured.redriven} dead letter(s) redriven to the events queue (as connector dlq redrive does)`,
      );
      await run.waitForDecisions();
    },
    verdict: ({ simulator, report }) =>
      badPasswordVerdict({
        logins: simulator.logins(),
        refusedBeforeFix: measured.refusedBeforeFix,
        workerMetrics: metrics.all(),
        deadLettered: measured.deadLettered,
        redriven: measured.redriven,
        pickupMs: measured.pickupMs,
        secretReads: secrets.reads,
        offers: report.total,
        decided: report.total - report.lost,
        ...(options.loginFailureMetric !== undefined
          ? { loginFailureMetric: options.loginFailureMetric }
          : {}),
      }),
    stop: () => secrets.stop(),
  };
}

export interface BadPasswordInput {
  /** Counted by the marketplace simulator at its login route. */
  logins: LoginCounts;
  refusedBeforeFix: number;
  /** The worker's metrics, summed by name. */
  workerMetrics: Readonly<Record<string, number>>;
  /** Records in the DLQ when the first wave had used up its receives. */
  deadLettered: number;
  redriven: number;
  /** From the fix in the secret to the first login it let through; undefined: none did. */
  pickupMs: number | undefined;
  secretReads: number;
  offers: number;
  decided: number;
  loginFailureMetric?: string;
}

/**
 * Judges the bad-password drill: logins were refused, records failed, at least one reached the
 * DLQ and was redriven, the fixed password was picked up without a restart, and every offer was
 * decided. With `loginFailureMetric`, the worker's metric must have risen too, by no more than the
 * refusals the marketplace counted.
 */
export function badPasswordVerdict(input: BadPasswordInput): DrillVerdict {
  const failed = input.workerMetrics[WORKER_METRICS.failed] ?? 0;
  const metrics = Object.entries(input.workerMetrics)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, sum]) => `${name} ${sum}`)
    .join(', ');
  const notes = [
    `bad-password: logins refused: ${input.logins.refused} (401, counted by the marketplace), ${input.refusedBeforeFix} of them before the fix; records failed: ${failed} (the worker's ${WORKER_METRICS.failed})`,
    `bad-password: ${input.deadLettered} record(s) reached the dead-letter queue; ${input.pickupMs === undefined ? 'the worker never logged in after the fix' : `after the fix the worker logged in ${(input.pickupMs / 1000).toFixed(1)} s later`} (${input.secretReads} secret reads in all)`,
    `bad-password: dead letters redriven: ${input.redriven}; offers decided: ${input.decided} of ${input.offers} (${percent(input.decided, input.offers)}%)`,
    `bad-password: worker metrics: ${metrics === '' ? 'none' : metrics}`,
  ];
  const problems: string[] = [];
  if (input.refusedBeforeFix === 0)
    problems.push(
      'bad-password: the marketplace refused no login: the wrong password never reached it',
    );
  if (failed === 0)
    problems.push(`bad-password: the worker failed no record (${WORKER_METRICS.failed} 0)`);
  if (input.redriven === 0)
    problems.push('bad-password: no dead letter was redriven: no record used up its receives');
  if (input.pickupMs === undefined)
    problems.push('bad-password: the worker never logged in with the fixed password');
  if (input.decided < input.offers)
    problems.push(`bad-password: ${input.offers - input.decided} offer(s) never decided`);
  if (input.loginFailureMetric !== undefined) {
    const sum = input.workerMetrics[input.loginFailureMetric] ?? 0;
    if (sum === 0 || sum > input.logins.refused) {
      problems.push(
        `bad-password: the worker's ${input.loginFailureMetric} is ${sum}, against ${input.logins.refused} logins the marketplace refused`,
      );
    }
  }
  return { notes, problems };
}
