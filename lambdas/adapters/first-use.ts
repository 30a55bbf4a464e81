/**
 * A value loaded on its first use, then kept for the execution environment. The handlers use it for
 * the AWS clients most invocations never call (adapters/deferred-*.ts: the worker's retry
 * queue, review topic and referral bus; the reconciler's store and events queue; the receiver's
 * shared secret), through `import()` of the module that imports the client's SDK package: a cold
 * start then neither requires that package nor builds the client, and each is still loaded at most
 * once per execution environment, not once per event.
 *
 * Calls made while the load is under way share it. A load that fails fails every call that needs
 * it, then and later, with its error: it is not tried again. Loading a bundled module fails the same
 * way each time (esbuild's bundle keeps a module's first error and gives it back to every later
 * `import()`: test/unit/deferred-bundle.test.ts), so a retry could not help, and each failed call is
 * handled as any failed call (the record or run is retried, the delivery answered 503), which the
 * alarms show. A deploy that fixes it brings new execution environments.
 */
export function onFirstLoad<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  // Through `then`, so a load that throws at once rejects like one that fails later.
  return () => (loading ??= Promise.resolve().then(load));
}
