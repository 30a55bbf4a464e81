/**
 * CPU time of another process, read from Linux's /proc (the emulators run as child processes, and
 * `process.cpuUsage()` counts only this one). Elsewhere it is unknown: undefined.
 */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU times in ticks of 1/100 s on every common architecture. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process `pid` has used so far, or undefined where unreadable. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, which may hold spaces): state is field 3,
    // utime field 14 and stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds the processes used between two readings; undefined when any reading is missing. */
export function cpuSecondsBetween(
  before: readonly (number | undefined)[],
  after: readonly (number | undefined)[],
): number | undefined {
  let total = 0;
  for (const [i, start] of before.entries()) {
    const end = after[i];
    if (start === undefined || end === undefined) return undefined;
    total += end - start;
  }
  return total;
}
