/**
 * The contention drill (`npm start -- --once --scenario contention`): the conditions under which a
 * connector is most tempted to answer one decision unit twice or both ways, all at once. Offers of
 * one shift or bundle judged differently by the rules, every event delivered at least twice, the
 * reconciler re-enqueueing undecided offers every 1.5 s beside SNS, several worker invocations in
 * parallel, and a marketplace that answers 5% of requests with a 5xx or a 429, slowly. The
 * marketplace itself counts what reached it (`answerTally`); the drill passes only when no offer
 * is left undecided and no unit was answered twice or contradicted.
 */
import type { ReconcileSummary } from '../lambdas/reconciler/reconciler';
import { ruleActions, unitsOf, unitKeyOf } from './outcomes';
import type { Rules } from '../lambdas/core/config';
import type { WireInboxOfferDetail } from './simulator/model';
import type { FaultPlan, MarketplaceSimulator } from './simulator/simulator';

export const CONTENTION_DRILL = {
  /** Worker invocations running at once, each with its own batches (the example config's workerMaxConcurrency). */
  workerInvocations: 5,
  /** Small batches spread an event's copies and a shift's offers over different invocations. */
  batchSize: 2,
  /** The reconciler's schedule in the drill (AWS: minutes). */
  reconcilerIntervalMs: 1500,
  /** How old a match must be before the reconciler enqueues it (AWS: 2 minutes): none, so it races SNS. */
  reconcilerMinMatchAgeMs: 0,
  /** Pause between scenario steps, so reconciler runs fall among the deliveries and decisions. */
  publishIntervalMs: 100,
  /** With the queue empty and no offer settling for this long, waiting longer changes nothing. */
  quietMs: 4000,
  /** Seeded: the same requests in the same order meet the same faults. */
  faults: {
    seed: 6,
    api: {
      latencyMs: 20,
      latencyJitterMs: 80,
      // 5% in all: 503 before acting, 502 after acting (POSTs only), 429 with Retry-After.
      errorRate: 0.02,
      errorAfterRate: 0.01,
      throttleRate: 0.02,
      retryAfterSeconds: 1,
    },
    // On top of the scenario's two copies of every event: a third for some.
    delivery: { duplicateRate: 0.1 },
  } satisfies FaultPlan,
} as const;

export interface ReconcilerLoopStats {
  runs: number;
  failed: number;
  enqueued: number;
}

export interface ReconcilerLoop {
  /** Stops the schedule and waits for the run in hand, if any. */
  stop(): Promise<void>;
  stats(): ReconcilerLoopStats;
}

/**
 * Runs the reconciler every `intervalMs` (after the previous run ends) until stopped. A failed run
 * is counted and reported, and the next one comes as scheduled, as EventBridge does.
 */
export function startReconcilerLoop(
  run: () => Promise<ReconcileSummary>,
  intervalMs: number,
  onError?: (error: unknown) => void,
): ReconcilerLoop {
  const stats: ReconcilerLoopStats = { runs: 0, failed: 0, enqueued: 0 };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = (async () => {
      stats.runs += 1;
      try {
        stats.enqueued += (await run()).enqueued;
      } catch (error: unknown) {
        stats.failed += 1;
        onError?.(error);
      }
      if (!stopped) timer = setTimeout(tick, intervalMs);
    })();
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
    stats: () => ({ ...stats }),
  };
}

/** What the drill put the connector through, as measured during the run. */
export interface DrillReport {
  offers: number;
  /** Shifts and bundles (decision units of more than one offer). */
  units: number;
  /** Of those, the units whose offers the rules judge differently. */
  mixedUnits: number;
  /** The fewest successful SNS deliveries any offer's `OfferMatched` got. */
  fewestDeliveries: number;
  workerInvocations: number;
  maxConcurrentInvocations: number;
  reconciler: ReconcilerLoopStats & { intervalMs: number };
  /** API faults injected by kind, and deliveries duplicated by fault. */
  faults: {
    requests: number;
    error: number;
    errorAfter: number;
    throttle: number;
    duplicate: number;
  };
}

export function drillReport(input: {
  simulator: Pick<MarketplaceSimulator, 'events' | 'deliveries' | 'faults' | 'inboxOffersTopicArn'>;
  offers: readonly WireInboxOfferDetail[];
  rules: Rules;
  poller: { invocations: number; maxConcurrent: number };
  reconciler: ReconcilerLoopStats;
}): DrillReport {
  const { simulator, offers } = input;
  const actions = ruleActions(input.rules, offers);
  const shifts = [
    ...unitsOf(offers.map((d) => ({ unitKey: unitKeyOf(d), offerId: d.offer.id }))).values(),
  ].filter((members) => members.length > 1);
  const mixed = shifts.filter(
    (members) => new Set(members.map((m) => actions.get(m.offerId))).size > 1,
  );

  const ids = new Set(offers.map((d) => d.offer.id));
  const matched = simulator
    .events()
    .flatMap((e) =>
      e.channel === 'inbox-offers' &&
      e.topicArn === simulator.inboxOffersTopicArn &&
      e.payload.event_name === 'OfferMatched' &&
      ids.has(e.payload.offer_id)
        ? [e.messageId]
        : [],
    );
  const delivered = new Map<string, number>();
  for (const attempt of simulator.deliveries()) {
    if (
      attempt.type === 'Notification' &&
      attempt.status !== undefined &&
      attempt.status >= 200 &&
      attempt.status < 300
    ) {
      delivered.set(attempt.messageId, (delivered.get(attempt.messageId) ?? 0) + 1);
    }
  }
  const log = simulator.faults.log;
  const faults = (kind: string) => log.filter((f) => f.kind === kind).length;
  return {
    offers: offers.length,
    units: shifts.length,
    mixedUnits: mixed.length,
    fewestDeliveries:
      matched.length === 0 ? 0 : Math.min(...matched.map((id) => delivered.get(id) ?? 0)),
    workerInvocations: input.poller.invocations,
    maxConcurrentInvocations: input.poller.maxConcurrent,
    reconciler: { ...input.reconciler, intervalMs: CONTENTION_DRILL.reconcilerIntervalMs },
    faults: {
      requests: simulator.faults.requests,
      error: faults('error'),
      errorAfter: faults('error-after'),
      throttle: faults('throttle'),
      duplicate: faults('duplicate'),
    },
  };
}

/** The drill's conditions in words, printed before the summary (the e2e test reads them). */
export function drillLines(r: DrillReport): string[] {
  const f = r.faults;
  return [
    `sandbox: contention: ${r.offers} offers, ${r.units} shifts/bundles, ${r.mixedUnits} of them judged differently by the rules; every offer delivered at least ${r.fewestDeliveries} times`,
    `sandbox: contention: ${r.workerInvocations} worker invocations, up to ${r.maxConcurrentInvocations} at once; reconciler every ${r.reconciler.intervalMs / 1000} s: ${r.reconciler.runs} runs, ${r.reconciler.enqueued} offers enqueued, ${r.reconciler.failed} runs failed`,
    `sandbox: contention: ${f.requests} marketplace requests, ${CONTENTION_DRILL.faults.api.latencyMs}-${CONTENTION_DRILL.faults.api.latencyMs + CONTENTION_DRILL.faults.api.latencyJitterMs} ms each; faults injected: ${f.error} 503 before acting, ${f.errorAfter} 502 after acting, ${f.throttle} 429; ${f.duplicate} deliveries duplicated`,
  ];
}
