/**
 * `connector replay <offer-id> [--force]`: enqueue an operator `OfferMatched` for the offer, so the
 * worker decides it again through the queue (lambdas/core/replay-event.ts). Refused (exit 1) when
 * the offer's decision is a settled accept or decline, unless `--force`; even then the worker
 * re-decides only if the marketplace shows the match still pending and open (replay.ts).
 */
import { randomUUID } from 'node:crypto';
import { SqsEventQueue } from '../../lambdas/adapters/sqs-event-queue';
import { isSettled } from '../../lambdas/core/ports';
import { replayEvent, ReplayEventError } from '../../lambdas/core/replay-event';
import { EXIT, UsageError } from './args';
import { ambiguousOfferProblem, findOffer } from './offer-id';
import type { CommandResult } from './output';
import type { CommandContext } from './resources';

export const REPLAY_USAGE = `usage: npx connector replay <offer-id> [--force] [--sandbox] [--json] [--region R]

Re-runs the decision for one offer through the queue: enqueues an OfferMatched (origin operator)
that the worker handles like any other. An offer whose decision is review or ignore is judged again
by the current rules while its match is pending and open. An offer already answered (an applied or
resolved accept or decline) is refused, unless --force: then the worker re-decides only if the
marketplace still shows the match pending and open, and does nothing otherwise. The id may be the
first 8 or more characters of one the connector has a record of.`;

export async function replay(
  ctx: CommandContext,
  given: string,
  options: { force: boolean },
): Promise<CommandResult> {
  // Checked before anything is read: an id too long for an event is a usage error.
  try {
    replayEvent(given, ctx.now(), randomUUID(), { force: options.force });
  } catch (error: unknown) {
    if (error instanceof ReplayEventError) throw new UsageError(error.message);
    throw error;
  }
  ctx.progress.step(`replay: reading ${given}`);
  // The first characters of an id, as logs print it, when exactly one record starts with them.
  const found = await findOffer(ctx, given, 'replay');
  if (found.kind === 'ambiguous') {
    ctx.progress.done();
    return {
      code: EXIT.failed,
      data: { offerId: given, replayed: false, candidates: found.candidates },
      lines: [],
      problems: [ambiguousOfferProblem(given, found.candidates)],
    };
  }
  const { offerId, record } = found;
  const { event, message } = replayEvent(offerId, ctx.now(), randomUUID(), {
    force: options.force,
  });
  const decision = record?.decision;
  const answered =
    decision !== undefined &&
    isSettled(decision) &&
    (decision.action === 'accept' || decision.action === 'decline');
  if (answered && !options.force) {
    ctx.progress.done();
    return {
      code: EXIT.failed,
      data: {
        offerId,
        replayed: false,
        reason: 'answered',
        decision: { action: decision.action, state: decision.state },
      },
      lines: [],
      problems: [
        `offer ${offerId} is already answered (${decision.action}, ${decision.state} at ${decision.decidedAt}): not replayed. ` +
          '--force replays it, and the worker re-decides only if the marketplace still shows the match pending and open.',
      ],
    };
  }
  ctx.progress.step('replay: enqueueing');
  const messageId = await new SqsEventQueue(ctx.clients.sqs, ctx.resources.queueUrl).send(event, {
    snsMessageId: event.snsMessageId,
    correlationId: message.event_id,
  });
  ctx.progress.done();
  const note =
    record === undefined
      ? ' (no record yet: the worker reads the offer from the marketplace)'
      : decision
        ? ` (decision was ${decision.action}, ${decision.state})`
        : '';
  return {
    code: EXIT.ok,
    data: {
      offerId,
      replayed: true,
      force: options.force,
      eventId: message.event_id,
      messageId,
      previous: decision ? { action: decision.action, state: decision.state } : null,
    },
    lines: [
      `replay of ${offerId} enqueued${options.force ? ' with --force' : ''}: event ${message.event_id}, message ${messageId}${note}`,
      `see the result: npx connector offer ${offerId}`,
    ],
  };
}
