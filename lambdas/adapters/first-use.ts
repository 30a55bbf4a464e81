/**
 * A value built on its first use, then kept for the execution environment. The handlers use it for
 * the AWS clients most invocations never call (the worker's retry queue, review topic and referral
 * bus; the reconciler's events queue): a cold start then skips building them, and they are still
 * built at most once per execution environment, not once per event. A build that throws is tried again on
 * the next use.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
