/**
 * A cooperative scheduler for race tests: every call a process makes on a shared port (store,
 * marketplace) first waits for its turn, so a test decides exactly which process moves at every
 * await that touches shared state, and can stop one for good there (a crash).
 */
import { RetryLaterError } from '../../lambdas/core/errors';

interface Proc {
  name: string;
  /** Set while the process waits at a step: lets it go on. */
  resume?: () => void;
  /** Called when the process arrives at its next step or settles. */
  arrived?: () => void;
  settled: boolean;
  crashed: boolean;
  /** Steps taken so far (port calls let through). */
  steps: number;
  result?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

export type Pick = (waiting: readonly string[]) => string | { crash: string };

export class Scheduler {
  private readonly procs = new Map<string, Proc>();

  /** A proxy of `target` whose every method waits for `name`'s turn before running. */
  gate<T extends object>(name: string, target: T): T {
    return new Proxy(target, {
      get: (obj, key, receiver) => {
        const value: unknown = Reflect.get(obj, key, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await this.step(name);
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  }

  private step(name: string): Promise<void> {
    const proc = this.procs.get(name);
    if (proc === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      proc.resume = () => {
        proc.resume = undefined;
        proc.steps += 1;
        resolve();
      };
      proc.arrived?.();
    });
  }

  /**
   * Runs the bodies together. At each point where every live process waits at a step, `pick`
   * chooses who moves (or who crashes: stopped there, never resumed). Resolves with each
   * process's result once every process has settled or crashed.
   */
  async run(
    bodies: Record<string, () => Promise<unknown>>,
    pick: Pick,
  ): Promise<Map<string, Proc>> {
    this.procs.clear();
    const arrivals: Promise<void>[] = [];
    for (const [name, body] of Object.entries(bodies)) {
      const proc: Proc = { name, settled: false, crashed: false, steps: 0 };
      this.procs.set(name, proc);
      arrivals.push(this.nextArrival(proc, body));
    }
    await Promise.all(arrivals);
    for (;;) {
      const waiting = [...this.procs.values()]
        .filter((p) => !p.settled && !p.crashed)
        .map((p) => p.name);
      if (waiting.length === 0) return new Map(this.procs);
      const choice = pick(waiting);
      if (typeof choice === 'object') {
        const crashed = this.procs.get(choice.crash);
        if (crashed !== undefined) crashed.crashed = true;
        continue;
      }
      const proc = this.procs.get(choice);
      if (proc?.resume === undefined) throw new Error(`scheduler: ${choice} is not waiting`);
      const arrival = new Promise<void>((resolve) => (proc.arrived = resolve));
      proc.resume();
      await arrival;
    }
  }

  /** Starts `body` (if given) and resolves when it reaches its first step or settles. */
  private nextArrival(proc: Proc, body: () => Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      proc.arrived = resolve;
      body().then(
        (value) => {
          proc.result = { ok: true, value };
          proc.settled = true;
          proc.arrived?.();
        },
        (error: unknown) => {
          proc.result = { ok: false, error };
          proc.settled = true;
          proc.arrived?.();
        },
      );
    });
  }
}

/** Strategies. */
export const strategies = {
  /** `first` moves `steps` times, then the others run to the end, then `first` resumes. */
  pauseAt(first: string, steps: number, order: readonly string[]): Pick {
    let taken = 0;
    return (waiting) => {
      if (taken < steps && waiting.includes(first)) {
        taken += 1;
        return first;
      }
      const other = order.find((name) => name !== first && waiting.includes(name));
      return other ?? first;
    };
  },
  /** `victim` moves `steps` times and then crashes; the others run to the end. */
  crashAt(victim: string, steps: number, order: readonly string[]): Pick {
    let taken = 0;
    return (waiting) => {
      if (waiting.includes(victim)) {
        if (taken < steps) {
          taken += 1;
          return victim;
        }
        return { crash: victim };
      }
      return order.find((name) => waiting.includes(name)) ?? waiting.at(0) ?? victim;
    };
  },
  /** A seeded random choice at every step. */
  random(random: () => number): Pick {
    return (waiting) => waiting.at(Math.floor(random() * waiting.length)) ?? waiting.at(0) ?? '';
  },
};

/** How many port calls `name` makes when `body` runs alone: the points to pause or crash it at. */
export async function stepsAlone(
  name: string,
  body: (scheduler: Scheduler) => Promise<unknown>,
): Promise<number> {
  const scheduler = new Scheduler();
  const procs = await scheduler.run(
    { [name]: () => body(scheduler) },
    (waiting) => waiting[0] ?? name,
  );
  return procs.get(name)?.steps ?? 0;
}

/**
 * The queue's retry delay in race tests: a RetryLaterError's own (or 5 s), an injected fault's
 * 5 s; anything else is not retried (redeliverEach throws it).
 */
export function retryDelay(faulted: (error: unknown) => boolean) {
  return (error: unknown): number | undefined =>
    error instanceof RetryLaterError
      ? (error.retryAfterMs ?? 5_000)
      : faulted(error)
        ? 5_000
        : undefined;
}

/**
 * Delivers each side's event again, one side after the other in `order`, as the queue would: a
 * delivery that fails with an error `retryAfterMs` gives a delay for is tried again once `wait`
 * has let that delay pass (at most 3 more times); any other error is thrown.
 */
export async function redeliverEach<S extends string, T>(
  order: readonly S[],
  deliver: (side: S) => Promise<T>,
  retryAfterMs: (error: unknown) => number | undefined,
  wait: (ms: number) => void,
): Promise<T[]> {
  const results: T[] = [];
  for (const side of order) {
    for (let attempt = 1; ; attempt++) {
      try {
        results.push(await deliver(side));
        break;
      } catch (error: unknown) {
        const delay = retryAfterMs(error);
        if (delay === undefined || attempt > 3) throw error;
        wait(delay);
      }
    }
  }
  return results;
}
