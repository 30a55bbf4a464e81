/**
 * The ports between the core and the outside world, gathered: adapters in `lambdas/adapters/`
 * implement them for AWS and HTTP; tests pass plain object literals. Each group lives in a module
 * of its own (marketplace-ports, service-ports, offer-records, store-ports); this module only
 * re-exports them, so the many importers keep one place to import from.
 */
export * from './marketplace-ports';
export * from './service-ports';
export * from './offer-records';
export * from './store-ports';
