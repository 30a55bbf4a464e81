/**
 * The organizations API's routes the simulator serves: `subscribe` (AlayaCare arranges
 * subscriptions by email; the route is published all the same) and a demand persona's trusted
 * network, which narrows who its offers are matched to (organizations.ts).
 */
import { invalidBody, isObject, requiredBody } from './api-body';
import { pageQuery } from './api-queries';
import { noContent, ok, type Route, type RouteDeps } from './api-route';
import { paginate } from './offer-views';

export const SUBSCRIBABLE_TOPICS = [
  'demand-organizations',
  'inbox-form-templates',
  'inbox-messages',
  'inbox-offers',
  'inbox-referrals',
  'outbox-form-submissions',
  'outbox-messages',
  'outbox-offers',
  'outbox-referrals',
  'outbox-visits',
  'outbox-visit-tasks',
  'outbox-work-sessions',
] as const;

export function organizationRoutes({ book, subscribe }: RouteDeps): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/organizations\/v1\/subscribe$/,
      role: 'any',
      handle: async (ctx) => {
        const list = (await requiredBody(ctx.body)).subscriptions;
        if (!Array.isArray(list))
          throw invalidBody('[object has missing required properties (["subscriptions"])]');
        const answered = list.map((entry: unknown, i) => {
          const item = isObject(entry) ? entry : {};
          const { topic, protocol, endpoint } = item;
          if (
            typeof topic !== 'string' ||
            !(SUBSCRIBABLE_TOPICS as readonly string[]).includes(topic)
          )
            throw invalidBody(`[subscriptions.${i}.topic must be one of the published topics]`);
          if (protocol !== 'https' && protocol !== 'email')
            throw invalidBody(`[subscriptions.${i}.protocol must be https or email]`);
          if (typeof endpoint !== 'string' || endpoint === '')
            throw invalidBody(`[subscriptions.${i}.endpoint is required]`);
          const arn =
            protocol === 'https' && subscribe
              ? subscribe(ctx.orgId, topic, endpoint)
              : 'pending confirmation';
          return { topic, protocol, endpoint, subscription_arn: arn };
        });
        return ok({ subscriptions: answered });
      },
    },
    {
      method: 'GET',
      pattern: /^\/organizations\/v1\/demand_persona\/trusted_network$/,
      role: 'demand',
      handle: (ctx) => {
        // Sorted by name only (`sort_by=name`, the one published), ascending unless asked.
        const url = new URL(ctx.url);
        if (url.searchParams.get('sort_by') === 'name') url.searchParams.delete('sort_by');
        if (!url.searchParams.has('sort_order')) url.searchParams.set('sort_order', 'asc');
        const rows = book.trustedSupply(ctx.orgId).map((item) => ({ sortKey: item.name, item }));
        return ok(paginate(rows, pageQuery(url)));
      },
    },
    {
      method: 'POST',
      pattern: /^\/organizations\/v1\/demand_persona\/trusted_network$/,
      role: 'demand',
      handle: async (ctx) => {
        const ids = (await requiredBody(ctx.body)).supply_persona_ids;
        if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string'))
          throw invalidBody('[object has missing required properties (["supply_persona_ids"])]');
        book.setTrustedNetwork(ctx.orgId, ids);
        return noContent;
      },
    },
  ];
}
