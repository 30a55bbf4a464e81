/**
 * `connector offer <id>`: the offer's record as the connector keeps it (no client data is stored):
 * its state in the marketplace as last seen, the decision (intended/applied/resolved, rule,
 * reason and explanation, rules version), its unit's decision when that differs, the events seen
 * in order, and the referral when one is recorded. A decision's reason and explanation are kept on
 * its unit's record: a lone offer's is the offer itself, a shift's offers carry a copy without
 * them (textOf finds them, and those of decisions settled by earlier versions).
 */
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import type { DecisionText, RecordedDecision, SeenEvent } from '../../lambdas/core/ports';
import { loneOfferOfUnit } from '../../lambdas/core/unit-decision';
import { EXIT } from './args';
import { ambiguousOfferProblem, findOffer } from './offer-id';
import { fields, type CommandResult } from './output';
import type { CommandContext } from './resources';

export const OFFER_USAGE = `usage: npx connector offer <offer-id> [--sandbox] [--json] [--region R]

The offer's record: its match as last seen, the decision (state intended/applied/resolved, action,
rule, reason and explanation, rules version), its shift's decision, the events seen in order, and
the referral. A decision's reason and explanation are its unit's: a shift's offers carry a copy
without them, shown from the shift's record (or, for a decision settled by an earlier version,
from the item of the event that settled it); "(not kept)" when neither holds them.
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

/**
 * A decision's text as the CLI shows it: the reason and explanation, and a shift's offers' own
 * explanations when kept.
 */
type DecisionTextShown = DecisionText & { offers?: { offerId: string; explanation: string[] }[] };

/** What the CLI shows of a decision's text: found, or why not. */
type ShownText = DecisionTextShown | { missing: string };

/**
 * The `decisionText` an event item written by earlier versions holds (completeEvent, on the event
 * that settled a decision, kept without TTL): `decisionEventId` names the decision's own event when
 * a later event applied it. No version writes it any more.
 */
type OldEventText = DecisionTextShown & { decisionEventId?: string };

/** A decision's own text, when it holds it (intended, a lone offer's, or a unit's record). */
function ownText(decision: RecordedDecision | undefined): DecisionTextShown | undefined {
  if (decision?.reason === undefined) return undefined;
  const offers = (decision.offers ?? []).flatMap(({ offerId, explanation }) =>
    explanation === undefined ? [] : [{ offerId, explanation }],
  );
  return {
    reason: decision.reason,
    ...(decision.explanation !== undefined ? { explanation: decision.explanation } : {}),
    ...(offers.length > 0 ? { offers } : {}),
  };
}

/** The `decisionText` an old event item holds, if it is one (see OldEventText). */
function oldEventText(item: Record<string, unknown> | undefined): OldEventText | undefined {
  const text = item?.decisionText;
  if (typeof text !== 'object' || text === null) return undefined;
  const { reason, explanation, offers, decisionEventId } = text as Record<string, unknown>;
  if (typeof reason !== 'string') return undefined;
  return {
    reason,
    ...(Array.isArray(explanation) ? { explanation: explanation.map(String) } : {}),
    ...(Array.isArray(offers) ? { offers: offers as NonNullable<OldEventText['offers']> } : {}),
    ...(typeof decisionEventId === 'string' ? { decisionEventId } : {}),
  };
}

/**
 * The decision's text, from the first place that keeps it:
 * 1. the decision itself: an intended one is stored whole, and a lone offer's settled one is its
 *    unit's record (so are decisions stored before the text ever moved);
 * 2. a shift's offer carries a copy without it: the shift's record (`unit`, read by the caller),
 *    when it holds the same decision (the same event's) with its text;
 * 3. decisions settled by earlier versions, which kept the text on the item of the event that
 *    settled it (no TTL): the decision's own event's item, or one of a later event seen on the
 *    offer that applied that event's intent (its `decisionEventId` names it).
 * Else it is not kept: the unit's record holds another decision now, or an earlier version's crash
 * fell between the settled decision and its event's item.
 */
async function textOf(
  store: DynamoOfferStore,
  decision: RecordedDecision,
  unit: RecordedDecision | undefined,
  seen: readonly SeenEvent[],
): Promise<ShownText> {
  const own = ownText(decision);
  if (own !== undefined) return own;
  const unitText = unit?.eventId === decision.eventId ? ownText(unit) : undefined;
  if (unitText !== undefined) return unitText;
  const old = oldEventText(await store.getEventRecord(decision.eventId));
  if (old !== undefined && old.decisionEventId === undefined) return old;
  for (const event of [...seen].reverse()) {
    if (event.eventId === decision.eventId) continue;
    const text = oldEventText(await store.getEventRecord(event.eventId));
    if (text?.decisionEventId === decision.eventId) return text;
  }
  const item = `event ${decision.eventId}'s item, where earlier versions kept it,`;
  return {
    missing:
      unit !== undefined && unit.eventId !== decision.eventId
        ? `(not kept: ${decision.unitKey ?? 'its unit'}'s record holds event ${unit.eventId}'s decision now; ${item} holds none)`
        : `(not kept: neither its unit's record nor ${item} holds it)`,
  };
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
  const text = record.decision && (await textOf(events, record.decision, unitDecision, seen));
  const unitText = unitDiffers ? await textOf(events, unitDecision, unitDecision, seen) : undefined;
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
