/**
 * The marketplace's value lists, as its API defines them (care types, offer types, offer and match
 * statuses, match responses): defined once here, in the core, with the types derived from them. The rules language
 * (rules-schema.ts), the ports (ports.ts) and the client's response schemas use these. The
 * simulator keeps its own copy on purpose (sandbox/simulator/model.ts), so a client misreading
 * stays visible in the contract tests.
 */

export const CARE_TYPES = ['psw', 'nursing'] as const;
export const OFFER_TYPES = ['visit', 'service'] as const;
export const OFFER_STATUSES = ['open', 'assigned', 'closed', 'declined_by_all', 'expired'] as const;
export const MATCH_STATUSES = ['open', 'expired', 'closed', 'assigned', 'fulfilled'] as const;
export const MATCH_RESPONSES = ['pending', 'accepted', 'declined'] as const;

export type CareType = (typeof CARE_TYPES)[number];
export type OfferType = (typeof OFFER_TYPES)[number];
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export type MatchStatus = (typeof MATCH_STATUSES)[number];
export type MatchResponse = (typeof MATCH_RESPONSES)[number];
