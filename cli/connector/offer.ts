/**
 * `connector offer <id>`: the offer's record as the connector keeps it (no client data is stored):
 * its state in the marketplace as last seen, the decision (intended/applied/resolved, rule,
 * reason and explanation, rules version), its unit's decision when that differs, the events seen
 * in order, and the referral when one is recorded. A settled decision is stored without its
 * reason and explanation: they are read from the item of the event that settled it (textOf).
 */
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import type {
  DecisionText,
  EventDecisionText,
  RecordedDecision,
  SeenEvent,
} from '../../lambdas/core/ports';
import { loneOfferOfUnit } from '../../lambdas/core/unit-decision';
import { EXIT } from './args';
import { ambiguousOfferProblem, findOffer } from './offer-id';
import { fields, type CommandResult } from './output';
import type { CommandContext } from './resources';

export const OFFER_USAGE = `usage: npx connector offer <offer-id> [--sandbox] [--json] [--region R]

The offer's record: its match as last seen, the decision (state intended/applied/resolved, action,
rule, reason and explanation, rules version), its shift's decision, the events seen in order, and
the referral. A settled decision's reason and explanation are read from the event that settled it
(kept as long as the decision; "(not kept)" when a crash came between the two).
The id may be the first 8 or more characters of one (as logs and the sandbox print them).
Exit 1 when the connector has no record of the offer.`;

/** The offer item's `referral` (written by the referral work), read as stored: ids and statuses only. */
async function referralOf(ctx: CommandContext, offerId: string): Promise<unknown> {
  const { partitionKey: PK, sortKey: SK, offerKeyPrefix } = OFFER_TABLE;
  const result = await ctx.clients.documents.get({
    TableName: ctx.resources.tableName,
    Key: { [PK]: `${offerKeyPrefix}${offerId}`, [SK]: 'OFFER' },
    ProjectionExpression: 'referral',
  });
  return result.Item?.referral;
}

/** What the CLI shows of a decision's text: found, or why not. */
type ShownText = DecisionText | { missing: string };

/** The `decisionText` an event item holds, if it is one (written by completeEvent). */
function storedText(item: Record<string, unknown> | undefined): EventDecisionText | undefined {
  const text = item?.decisionText;
  if (typeof text !== 'object' || text === null) return undefined;
  const { reason, explanation, offers, decisionEventId } = text as Record<string, unknown>;
  if (typeof reason !== 'string') return undefined;
  return {
    reason,
    ...(Array.isArray(explanation) ? { explanation: explanation.map(String) } : {}),
    ...(Array.isArray(offers)
      ? { offers: offers as NonNullable<EventDecisionText['offers']> }
      : {}),
    ...(typeof decisionEventId === 'string' ? { decisionEventId } : {}),
  };
}

/**
 * The decision's text. A decision stored with it (intended, or settled before the text moved)
 * holds it; a settled one's is on the item of the event that settled it: the decision's own
 * event, or (an earlier event's intent applied by a later one) one of the offer's events seen.
 * That item does not expire (other event items do, after EVENT_RETENTION_DAYS); a crash between
 * the settled write and the event's completion leaves none.
 */
async function textOf(
  store: DynamoOfferStore,
  decision: RecordedDecision,
  seen: readonly SeenEvent[],
): Promise<ShownText> {
  if (decision.reason !== undefined)
    return {
      reason: decision.reason,
      ...(decision.explanation !== undefined ? { explanation: decision.explanation } : {}),
    };
  const own = storedText(await store.getEventRecord(decision.eventId));
  if (own !== undefined && own.decisionEventId === undefined) return own;
  for (const event of [...seen].reverse()) {
    if (event.eventId === decision.eventId) continue;
    const text = storedText(await store.getEventRecord(event.eventId));
    if (text?.decisionEventId === decision.eventId) return text;
  }
  return { missing: `(not kept: event ${decision.eventId}'s record holds none)` };
}

function textLines(text: ShownText, indent: string): string[] {
  if ('missing' in text) return [`${indent}explanation: ${text.missing}`];
  return [
    ...fields([['reason', text.reason]], indent),
    ...(text.explanation && text.explanation.length > 0
      ? [`${indent}explanation:`, ...text.explanation.map((line) => `${indent}  ${line}`)]
      : []),
  ];
}

function decisionLines(decision: RecordedDecision, text: ShownText, indent: string): string[] {
  return [
    ...fields(
      [
        [
          'state',
          decision.state +
            (decision.resolution
              ? ` (${decision.resolution}${decision.marketplaceResponse ? `: ${decision.marketplaceResponse}` : ''})`
              : ''),
        ],
        ['action', decision.action + (decision.dryRun ? ' (dry run: not sent)' : '')],
        ['rule', decision.rule],
        ['rules version', decision.rulesVersion],
        ['decided at', decision.decidedAt],
        ['by event', decision.eventId],
        ['unit', decision.unitKey],
        [
          'offers of the unit',
          decision.offerIds && decision.offerIds.length > 1
            ? decision.offerIds.join(', ')
            : undefined,
        ],
        ['answered via', decision.answeredVia],
        ['replaces decision of', decision.replacesEventId],
      ],
      indent,
    ),
    ...textLines(text, indent),
  ];
}

export async function offer(ctx: CommandContext, given: string): Promise<CommandResult> {
  ctx.progress.step(`offer: reading ${given}`);
  const found = await findOffer(ctx, given, 'offer');
  if (found.kind === 'ambiguous') {
    ctx.progress.done();
    return {
      code: EXIT.failed,
      data: { offerId: given, found: false, candidates: found.candidates },
      lines: [],
      problems: [ambiguousOfferProblem(given, found.candidates)],
    };
  }
  const { offerId, record } = found;
  if (record === undefined) {
    ctx.progress.done();
    return {
      code: EXIT.failed,
      data: { offerId: given, found: false },
      lines: [],
      problems: [`no record of offer ${given} (never seen by this connector, or a wrong id)`],
    };
  }
  const unitKey = record.decision?.unitKey;
  // A lone offer's unit is the offer's own item, just read: nothing else to compare it with.
  const unitDecision =
    unitKey === undefined || loneOfferOfUnit(unitKey) === offerId
      ? undefined
      : await new DynamoUnitStore(ctx.clients.documents, ctx.resources.tableName).getUnitDecision(
          unitKey,
        );
  const referral = await referralOf(ctx, offerId);
  const unitDiffers =
    unitDecision !== undefined &&
    (unitDecision.eventId !== record.decision?.eventId ||
      unitDecision.state !== record.decision.state);
  const events = new DynamoOfferStore(ctx.clients.documents, ctx.resources.tableName);
  const seen = record.events ?? [];
  const text = record.decision && (await textOf(events, record.decision, seen));
  const unitText = unitDiffers ? await textOf(events, unitDecision, seen) : undefined;
  ctx.progress.done();
  const lines = [
    `offer ${offerId}`,
    ...fields(
      [
        ['shift', record.shiftId],
        ['care type', record.careType],
        ['offer type', record.offerType],
        [
          'match',
          record.matchResponse !== undefined || record.matchStatus !== undefined
            ? `${record.matchResponse ?? '?'} / ${record.matchStatus ?? '?'} (as last seen)`
            : undefined,
        ],
        [
          'last event',
          record.lastEventName
            ? `${record.lastEventName} at ${record.lastEventAt ?? '?'}`
            : undefined,
        ],
        [
          'assignment',
          record.assignment
            ? `${record.assignment.state} match ${record.assignment.matchId}${record.assignment.dryRun ? ' (dry run)' : ''}`
            : undefined,
        ],
        [
          'reconciler',
          record.reconciler
            ? `enqueued ${record.reconciler.enqueues} time(s), last ${record.reconciler.lastEnqueuedAt}`
            : undefined,
        ],
        ['updated at', record.updatedAt],
      ],
      '  ',
    ),
    ...(record.decision && text
      ? ['  decision:', ...decisionLines(record.decision, text, '    ')]
      : ['  decision: none']),
    ...(unitDiffers && unitText
      ? [`  decision of ${unitKey}:`, ...decisionLines(unitDecision, unitText, '    ')]
      : []),
    '  events seen:',
    ...((record.events ?? []).length > 0
      ? (record.events ?? []).map((e, i) => `    ${i + 1}. ${e.at} ${e.name} (${e.eventId})`)
      : ['    none recorded']),
    ...(referral !== undefined
      ? ['  referral:', ...fields(Object.entries(referral as Record<string, unknown>), '    ')]
      : []),
  ];
  return {
    code: EXIT.ok,
    data: {
      offerId,
      found: true,
      record,
      ...(text !== undefined ? { decisionText: text } : {}),
      ...(unitDiffers ? { unitDecision, unitDecisionText: unitText } : {}),
      ...(referral !== undefined ? { referral } : {}),
    },
    lines,
  };
}
