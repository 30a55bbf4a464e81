/**
 * `connector offer <id>`: the offer's record as the connector keeps it (no client data is stored):
 * its state in the marketplace as last seen, the decision (intended/applied/resolved, rule,
 * explanation, rules version), its unit's decision when that differs, the events seen in order,
 * and the referral when one is recorded.
 */
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import type { RecordedDecision } from '../../lambdas/core/ports';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { EXIT } from './args';
import { ambiguousOfferProblem, findOffer } from './offer-id';
import { fields, type CommandResult } from './output';
import type { CommandContext } from './resources';

export const OFFER_USAGE = `usage: npx connector offer <offer-id> [--sandbox] [--json] [--region R]

The offer's record: its match as last seen, the decision (state intended/applied/resolved, action,
rule, explanation, rules version), its shift's decision, the events seen in order, and the referral.
The id may be the first 8 or more characters of one (as logs and the sandbox print them).
Exit 1 when the connector has no record of the offer.`;

/** The offer item's `referral` (written by the referral work), read as stored: ids and statuses only. */
async function referralOf(ctx: CommandContext, offerId: string): Promise<unknown> {
  const { partitionKey: PK, sortKey: SK, offerKeyPrefix } = OFFER_TABLE;
  const result = await ctx.clients.documents.send(
    new GetCommand({
      TableName: ctx.resources.tableName,
      Key: { [PK]: `${offerKeyPrefix}${offerId}`, [SK]: 'OFFER' },
      ProjectionExpression: 'referral',
    }),
  );
  return result.Item?.referral;
}

function decisionLines(decision: RecordedDecision, indent: string): string[] {
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
        ['reason', decision.reason],
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
    ...(decision.explanation && decision.explanation.length > 0
      ? [`${indent}explanation:`, ...decision.explanation.map((line) => `${indent}  ${line}`)]
      : []),
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
  const unitDecision =
    unitKey === undefined
      ? undefined
      : await new DynamoUnitStore(ctx.clients.documents, ctx.resources.tableName).getUnitDecision(
          unitKey,
        );
  const referral = await referralOf(ctx, offerId);
  ctx.progress.done();
  const unitDiffers =
    unitDecision !== undefined &&
    (unitDecision.eventId !== record.decision?.eventId ||
      unitDecision.state !== record.decision.state);
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
    ...(record.decision
      ? ['  decision:', ...decisionLines(record.decision, '    ')]
      : ['  decision: none']),
    ...(unitDiffers ? [`  decision of ${unitKey}:`, ...decisionLines(unitDecision, '    ')] : []),
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
      ...(unitDiffers ? { unitDecision } : {}),
      ...(referral !== undefined ? { referral } : {}),
    },
    lines,
  };
}
