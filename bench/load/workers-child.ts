/**
 * Forks bench/load/worker-process.ts and talks to it: starts the workers with their settings,
 * hands each invocation's report to `onBatch` (times on this process's performance clock), and
 * stops them. The child runs with this process's Node options (tsx's loader included).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FromWorkers, ToWorkers } from './worker-process';

export interface WorkersChild {
  /** The child's process id (its CPU time is read from /proc). */
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface WorkersChildOptions {
  settings: Omit<Extract<ToWorkers, { type: 'start' }>, 'type'>;
  /** One worker invocation: when it began (ms on this process's performance clock). */
  onBatch: (at: number, offerIds: readonly string[], size: number) => void;
  onProblem: (line: string) => void;
}

/** Starts the workers in a child process; resolves once they poll. */
export async function startWorkersChild(options: WorkersChildOptions): Promise<WorkersChild> {
  const child = fork(path.join(__dirname, 'worker-process.ts'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let stopped: (() => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => {
      stopped?.();
      reject(new Error(`the workers' process exited with code ${String(code)}`));
    });
    child.on('message', (message: FromWorkers) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'batch')
        options.onBatch(message.at - performance.timeOrigin, message.offerIds, message.size);
      else if (message.type === 'problem') options.onProblem(message.line);
      else stopped?.();
    });
  });
  const start: ToWorkers = { type: 'start', ...options.settings };
  child.send(start);
  await ready;
  return {
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill('SIGTERM'), 10000);
        stopped = () => {
          clearTimeout(timer);
          resolve();
        };
        const stop: ToWorkers = { type: 'stop' };
        child.send(stop);
      }),
  };
}
