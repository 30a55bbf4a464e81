/** Waiting helpers of the sandbox: polling for a condition, bounded waits, abortable sleeps. */

/** Polls `done` every `everyMs` (default 250 ms) until it holds, the time limit passes or the signal aborts. */
export async function waitUntil(
  done: () => Promise<boolean>,
  timeoutMs: number,
  signal?: AbortSignal,
  everyMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await done()) return true;
    await sleep(everyMs, signal);
  }
  return done();
}

/** Whether `work` settles within `ms` (a rejection still rejects); the timer never outlives it. */
export async function finishesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    }
    signal?.addEventListener('abort', finish);
  });
}
