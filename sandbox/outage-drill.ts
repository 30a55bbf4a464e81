/**
 * The outage drill (`npm start -- --once --scenario outage`): the receiver answers 503 while the
 * first offers of the fixed scenario are published, long enough for SNS to retry each delivery
 * and give it up; then it comes back and the rest are published. The reconciler, running beside
 * SNS on a short schedule as it does in AWS on minutes, must find every offer SNS gave up on, and
 * the worker must decide it. The facts come from the boundaries that saw them: SNS's attempts
 * (the simulator), the 503s (the outage switch), the reconciler's enqueues (its queue), and every
 * offer's decision (the store, checked against the marketplace by collectOutcomes).
 */
import { marketplaceEventSchema } from '../lambdas/core/events';
import type { EventQueue } from '../lambdas/core/ports';
import { parseJsonWith } from '../lambdas/core/parse-json';
import { short, unitKeyOf } from './outcomes';
import { createReceiverOutage } from './receiver-outage';
import { onceScenario } from './scenario';
import type { DeliveryAttempt, PublishedEvent } from './simulator/simulator';
import type { WireInboxOfferDetail } from './simulator/model';
import { type DrillVerdict, percent, type SupplyDrill } from './supply-drills';

export const OUTAGE_DRILL = {
  /** Steps of the fixed scenario published while the receiver is down: 9 of its 24 offers (a shift among them). */
  stepsDuringOutage: 8,
  /** SNS's retries in the drill (SNS: 3 more tries 20 s apart; here 100 ms). */
  snsRetries: 3,
  snsRetryDelayMs: 100,
  /** The reconciler's schedule (AWS: minutes). */
  reconcilerIntervalMs: 1000,
  /** How old a match must be before the reconciler enqueues it (AWS: 2 minutes). */
  reconcilerMinMatchAgeMs: 2000,
} as const;

export function createOutageDrill(): SupplyDrill {
  const outage = createReceiverOutage();
  /** Offers the reconciler put on the queue, in order (an offer may come more than once). */
  const enqueued: string[] = [];
  let downForMs = 0;
  return {
    name: 'outage',
    receiver: (handler) => outage.wrap(handler),
    reconciler: {
      intervalMs: OUTAGE_DRILL.reconcilerIntervalMs,
      minMatchAgeMs: OUTAGE_DRILL.reconcilerMinMatchAgeMs,
      queue: (queue) => recordingQueue(queue, (offerId) => enqueued.push(offerId)),
    },
    async play(run) {
      const steps = onceScenario();
      run.simulator.setDeliveryRetries(OUTAGE_DRILL.snsRetries, OUTAGE_DRILL.snsRetryDelayMs);
      outage.begin();
      const downAt = Date.now();
      run.print(
        `sandbox: outage: the receiver answers 503 from now; SNS tries each delivery ${1 + OUTAGE_DRILL.snsRetries} times, ${OUTAGE_DRILL.snsRetryDelayMs} ms apart`,
      );
      for (const step of steps.slice(0, OUTAGE_DRILL.stepsDuringOutage)) run.publish(step);
      // Every delivery of those offers has been tried to the end (and given up).
      await run.simulator.idle();
      outage.end();
      downForMs = Date.now() - downAt;
      run.print(
        `sandbox: outage: the receiver is back after ${(downForMs / 1000).toFixed(1)} s; ${run.published.length} offers were published meanwhile`,
      );
      for (const step of steps.slice(OUTAGE_DRILL.stepsDuringOutage)) run.publish(step);
      run.print(`sandbox: ${run.published.length} offers published; waiting for every decision`);
      await run.waitForDecisions();
    },
    verdict: ({ simulator, report, published, reconciler }) =>
      outageVerdict({
        published,
        events: simulator.events(),
        deliveries: simulator.deliveries(),
        inboxTopicArn: simulator.inboxOffersTopicArn,
        refused503: outage.refused,
        downForMs,
        reconcilerEnqueued: enqueued,
        reconcilerRuns: reconciler?.runs ?? 0,
        decided: new Set(report.offers.filter((o) => o.decidedBy !== 'none').map((o) => o.offerId)),
      }),
    stop: async () => {
      outage.end();
    },
  };
}

/** A queue that tells `onSend` the offer of every event sent through it. */
export function recordingQueue(queue: EventQueue, onSend: (offerId: string) => void): EventQueue {
  return {
    async send(event, attributes) {
      const messageId = await queue.send(event, attributes);
      const parsed = parseJsonWith(marketplaceEventSchema, event.message);
      if (parsed.ok && parsed.value.offer_id !== undefined) onSend(parsed.value.offer_id);
      return messageId;
    },
  };
}

export interface OutageInput {
  published: readonly WireInboxOfferDetail[];
  events: readonly PublishedEvent[];
  deliveries: readonly DeliveryAttempt[];
  inboxTopicArn: string;
  refused503: number;
  downForMs: number;
  reconcilerEnqueued: readonly string[];
  reconcilerRuns: number;
  /** Offers with a settled decision at the end. */
  decided: ReadonlySet<string>;
}

/**
 * Judges the outage drill: SNS must have given up on at least a third of the offers' deliveries,
 * and each offer it gave up on must have been enqueued by the reconciler (its own event, or its
 * shift's: one event per shift) and decided.
 */
export function outageVerdict(input: OutageInput): DrillVerdict {
  const ids = new Set(input.published.map((d) => d.offer.id));
  const messageOf = new Map<string, string>();
  for (const e of input.events) {
    if (
      e.channel !== 'inbox-offers' ||
      e.topicArn !== input.inboxTopicArn ||
      e.payload.event_name !== 'OfferMatched'
    )
      continue;
    const offerId = e.payload.offer_id;
    if (ids.has(offerId)) messageOf.set(offerId, e.messageId);
  }
  const delivered = new Set(
    input.deliveries
      .filter(
        (a) =>
          a.type === 'Notification' && a.status !== undefined && a.status >= 200 && a.status < 300,
      )
      .map((a) => a.messageId),
  );
  const gaveUp = input.published.filter((d) => !delivered.has(messageOf.get(d.offer.id) ?? ''));
  const total = input.published.length;

  const unitsEnqueued = new Set(
    input.published.filter((d) => input.reconcilerEnqueued.includes(d.offer.id)).map(unitKeyOf),
  );
  const found = gaveUp.filter((d) => unitsEnqueued.has(unitKeyOf(d)));
  const decided = gaveUp.filter((d) => input.decided.has(d.offer.id));
  const events = input.reconcilerEnqueued.length;

  const notes = [
    `outage: SNS gave up on ${gaveUp.length} of ${total} deliveries (${percent(gaveUp.length, total)}%); the reconciler enqueued ${events}`,
    `outage: the receiver was down ${(input.downForMs / 1000).toFixed(1)} s and answered ${input.refused503} delivery attempts 503; the reconciler ran ${input.reconcilerRuns} times every ${OUTAGE_DRILL.reconcilerIntervalMs / 1000} s`,
    `outage: of the ${gaveUp.length} offers SNS gave up on, the reconciler found ${found.length} (a shift is one event) and the worker decided ${decided.length}`,
  ];
  const problems: string[] = [];
  if (total === 0 || gaveUp.length * 3 < total)
    problems.push(
      `outage: SNS gave up on ${gaveUp.length} of ${total} deliveries, under a third: the outage did not last long enough`,
    );
  const missed = gaveUp.filter((d) => !unitsEnqueued.has(unitKeyOf(d)));
  if (missed.length > 0)
    problems.push(
      `outage: the reconciler never enqueued ${missed.length} offer(s) SNS gave up on: ${missed.map((d) => short(d.offer.id)).join(', ')}`,
    );
  const undecided = gaveUp.filter((d) => !input.decided.has(d.offer.id));
  if (undecided.length > 0)
    problems.push(
      `outage: ${undecided.length} offer(s) SNS gave up on were never decided: ${undecided.map((d) => short(d.offer.id)).join(', ')}`,
    );
  return { notes, problems };
}
