/**
 * The worker's referral metrics (EMF, service `worker`). Kept apart from worker.ts so the CDK
 * dashboard (lib/monitoring.ts) can list them without importing the handler's code.
 */
export const REFERRAL_METRICS = {
  /** Offers won: `ReferralCreated` recorded on the offer (supply side). */
  won: 'OffersWon',
  /** Won referrals marked processed at the marketplace (config `referrals.markProcessed`). */
  markedProcessed: 'ReferralsMarkedProcessed',
  /** `ReferralReceived` events put on the bus (config `referrals.eventBusArn`). */
  forwarded: 'ReferralEventsForwarded',
} as const;
