/**
 * A value loaded on its first use, then kept for the execution environment. The handlers use it for
 * the AWS clients most invocations never call (adapters/deferred-*.ts: the worker's retry
 * queue, review topic and referral bus; the reconciler's events queue), through `import()` of the
 * module that imports the client's SDK package: a cold start then neither requires that package
 * nor builds the client, and each is still loaded at most once per execution environment, not once
 * per event.
 *
 * Calls made while the load is under way share it. A load that fails rejects the calls waiting on
 * it (each fails, and is retried, like any failed call) and is tried again on the next use, so one
 * bad moment does not break the execution environment for good.
 */
export function onFirstLoad<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (loading === undefined) {
      // Through `then`, so a load that throws at once rejects like one that fails later.
      const attempt = Promise.resolve().then(load);
      loading = attempt;
      // Forget a failed load; the callers get its rejection from `attempt` itself.
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  };
}
