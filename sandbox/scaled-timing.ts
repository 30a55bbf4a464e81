/**
 * The worker's timing for a sandbox drill that must see records fail their way to the dead-letter
 * queue within seconds: the production retry schedule (lambdas/worker/timing.ts, 5/15/60/300 s)
 * scaled down, in whole seconds of at least 1 (SQS visibility is set in whole seconds). Only the
 * retry delays change; production timing is never touched, and the result is for the sandbox
 * only (timingProblems rightly refuses it: its delays no longer outlast a lease).
 */
import { WORKER_TIMING, type WorkerTiming } from '../lambdas/worker/timing';

export class ScaledTimingError extends Error {
  override readonly name = 'ScaledTimingError';
}

export function scaledWorkerTiming(
  scale: number,
  timing: WorkerTiming = WORKER_TIMING,
): WorkerTiming {
  if (!(scale > 0 && scale <= 1))
    throw new ScaledTimingError(`the retry schedule's scale must be in (0, 1], got ${scale}`);
  return {
    ...timing,
    retryDelaysS: timing.retryDelaysS.map((seconds) => Math.max(1, Math.round(seconds * scale))),
  };
}
