/**
 * A value built on its first use, then kept for the execution environment. The handlers use it for
 * the AWS clients most invocations never call (adapters/deferred-*.ts: the worker's retry queue,
 * review topic and referral bus; the reconciler's store and events queue): a cold start does not
 * build them, and each is still built at most once per execution environment, not once per event.
 *
 * Their SDK packages are imported as any other module, so they load at start. They once came in
 * through `import()`, which costs more than it saves in a CommonJS bundle: esbuild puts an
 * `import()` target, and every module it reaches, behind an initializer, and the SDK's shared
 * modules (@smithy/core, @aws-sdk/core), which the functions need at start anyway, are then kept
 * whole and run whole at start instead of only the parts used. Measured with callgrind on Node 24:
 * the worker's start took more instructions that way than with the packages imported and only the
 * clients built here, and its bundle was a tenth larger (README, Performance).
 *
 * Calls made while the build is under way share it. A build that fails fails every call that needs
 * it, then and later, with its error: it is not tried again. Building a client does no I/O, so it
 * fails only on what would fail it again (its configuration), and each failed call is handled as
 * any failed call (the record or run is retried), which the alarms show. A deploy that fixes it
 * brings new execution environments.
 */
export function onFirstUse<T>(build: () => T | Promise<T>): () => Promise<T> {
  let building: Promise<T> | undefined;
  // Through `then`, so a build that throws at once rejects like one that fails later.
  return () => (building ??= Promise.resolve().then(build));
}
