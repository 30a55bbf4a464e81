/**
 * Every response schema and type, for the CLI, the sandbox and tests. A Lambda's modules import
 * the resource module they need instead, so it bundles only those schemas.
 */
export * from './common';
export * from './auth';
export * from './inbox-offers';
export * from './outbox-offers';
export * from './referrals';
export * from './organizations';
