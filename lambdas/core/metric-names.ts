/**
 * The handlers' custom metric names, their namespace and the `service` of each function (Powertools
 * EMF, dimension `service`). Defined once here, with no imports: the handlers write them, and lib/
 * (function environment, alarms, dashboard) and the tests read them, so a renamed metric cannot
 * leave an alarm watching nothing.
 */

/** Namespace of the handlers' metrics (the stack sets it as POWERTOOLS_METRICS_NAMESPACE too). */
export const METRICS_NAMESPACE = 'AlayaCareConnector';

/** POWERTOOLS_SERVICE_NAME of each function; the metrics' `service` dimension carries it. */
export const SERVICE_NAMES = {
  receiver: 'receiver',
  worker: 'worker',
  reconciler: 'reconciler',
} as const;

export type ServiceName = (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES];

/** Written by the receiver (service `receiver`). */
export const RECEIVER_METRICS = {
  messagesRejected: 'MessagesRejected',
  subscriptionsConfirmed: 'SubscriptionsConfirmed',
  unsubscribeConfirmations: 'UnsubscribeConfirmations',
  deliveriesFailed: 'DeliveriesFailed',
  /** 401s to requests without credentials: SNS's first try when the URL holds a user and password. */
  authenticationChallenges: 'AuthenticationChallenges',
} as const;

/** Written by the worker (service `worker`). */
export const WORKER_METRICS = {
  accepted: 'OffersAccepted',
  declined: 'OffersDeclined',
  review: 'OffersForReview',
  ignored: 'OffersIgnored',
  duplicate: 'DuplicateEvents',
  failed: 'RecordsFailed',
  assigned: 'OffersAssigned',
  declinedByAll: 'OutboxOffersDeclinedByAll',
  expired: 'OutboxOffersExpired',
  handedBack: 'RecordsHandedBack',
  resolved: 'AnswersResolved',
  dryRun: 'DryRunDecisions',
  /** The rules store holds an invalid document; the last good version stays in use (rules-report.ts). */
  rulesInvalid: 'RulesInvalid',
  /** The rules store could not be read; the last good version stays in use, if there is one. */
  rulesReadFailed: 'RulesReadFailed',
  /** Offers won: `ReferralCreated` recorded on the offer (supply side). */
  referralsWon: 'OffersWon',
  /** Won referrals marked processed at the marketplace (config `referrals.markProcessed`). */
  referralsMarkedProcessed: 'ReferralsMarkedProcessed',
  /** `ReferralReceived` events put on the bus (config `referrals.eventBusArn`). */
  referralEventsForwarded: 'ReferralEventsForwarded',
} as const;

/** Written by the reconciler (service `reconciler`). */
export const RECONCILER_METRICS = {
  seen: 'ReconcilerOffersSeen',
  enqueued: 'ReconcilerOffersEnqueued',
  skippedByCap: 'ReconcilerOffersSkippedByCap',
  malformed: 'ReconcilerItemsMalformed',
} as const;

/**
 * The `service` dimension of the login metrics, whichever function writes them (worker and
 * reconciler, through adapters/login-report.ts): both log in with the same credentials secret, so
 * one metric and one alarm cover both, and a healthy flow publishes one custom metric for logins,
 * not one per function (each is billed by the hour it is published in). The log lines name the
 * function.
 */
export const LOGIN_SERVICE_NAME = 'marketplace-login';

/** Written by every function that logs in to the marketplace, under LOGIN_SERVICE_NAME. */
export const LOGIN_METRICS = {
  /**
   * Logins that cannot succeed until someone acts: the marketplace refused the credentials (a 4xx
   * other than 429, e.g. 401/403 for a wrong or locked password) or the credentials secret could
   * not be read or is malformed. Written as 0 after a successful login, so the alarm can clear.
   */
  failures: 'MarketplaceLoginFailures',
  /** Logins that failed for a reason retrying may cure (429, 5xx, timeout, network), after the client's retries. */
  unavailable: 'MarketplaceLoginUnavailable',
} as const;

/**
 * The detail metrics (config `monitoring.detailMetrics`, on with the dashboard): counts of the
 * normal flow that no alarm watches. A custom metric is billed by the hour it is published in, so
 * these cost about 0.30 USD a month each once traffic flows. Off, the handlers still log every
 * outcome (the worker's one "Event processed" line per event), so the counts can be read from Logs
 * Insights. Everything else stays on whatever the setting: what an alarm watches (RecordsFailed,
 * the login failures, ReconcilerOffersEnqueued, UnsubscribeConfirmations, the rules metrics) and
 * the counts of faults, which cost nothing while nothing fails. Deliveries have no metric of
 * their own: the NoDeliveries alarm counts the events queue's NumberOfMessagesSent (free).
 */
export const DETAIL_METRICS: readonly string[] = [
  WORKER_METRICS.accepted,
  WORKER_METRICS.declined,
  WORKER_METRICS.review,
  WORKER_METRICS.ignored,
  WORKER_METRICS.duplicate,
  WORKER_METRICS.assigned,
  WORKER_METRICS.resolved,
  WORKER_METRICS.dryRun,
  WORKER_METRICS.referralsWon,
  WORKER_METRICS.referralsMarkedProcessed,
  WORKER_METRICS.referralEventsForwarded,
  RECONCILER_METRICS.seen,
  RECONCILER_METRICS.skippedByCap,
];
