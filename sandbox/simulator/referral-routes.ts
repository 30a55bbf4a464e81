/** The offers API's referral routes: each side lists and reads its referrals and may cancel one; supply marks one processed. */
import { optionalStrings, reasonCode, requiredBody } from './api-body';
import { referralQuery } from './api-queries';
import { found, noContent, ok, type Route, type RouteDeps } from './api-route';

export function referralRoutes({ book }: RouteDeps): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/inbox\/referrals$/,
      role: 'supply',
      handle: (ctx) =>
        ok(book.listInboxReferrals(ctx.orgId, referralQuery(ctx.url, 'referral_status'))),
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/inbox\/referrals\/([^/]+)$/,
      role: 'supply',
      handle: (ctx) => found(book.getInboxReferral(ctx.orgId, ctx.params[0]), 'Referral not found'),
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/inbox\/referrals\/([^/]+)\/mark_processed$/,
      role: 'supply',
      handle: (ctx) => {
        book.markProcessed(ctx.orgId, ctx.params[0]);
        return noContent;
      },
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/inbox\/referrals\/([^/]+)\/cancel$/,
      role: 'supply',
      handle: async (ctx) => {
        const fields = optionalStrings(await requiredBody(ctx.body), ['reason_code']);
        book.cancelReferral('supply', ctx.orgId, ctx.params[0], reasonCode(fields.reason_code));
        return noContent;
      },
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/outbox\/referrals$/,
      role: 'demand',
      handle: (ctx) => ok(book.listOutboxReferrals(ctx.orgId, referralQuery(ctx.url, 'status'))),
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/outbox\/referrals\/([^/]+)$/,
      role: 'demand',
      handle: (ctx) =>
        found(book.getOutboxReferral(ctx.orgId, ctx.params[0]), 'Referral not found'),
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/outbox\/referrals\/([^/]+)\/cancel$/,
      role: 'demand',
      handle: async (ctx) => {
        const fields = optionalStrings(await requiredBody(ctx.body), ['reason_code', 'comment']);
        book.cancelReferral('demand', ctx.orgId, ctx.params[0], {
          ...reasonCode(fields.reason_code),
          ...(fields.comment !== undefined ? { comment: fields.comment } : {}),
        });
        return noContent;
      },
    },
  ];
}
