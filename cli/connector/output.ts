/**
 * How `npx connector` speaks: a command returns a CommandResult (its exit code, one JSON-able
 * document and the text lines for a person); `render` prints either the document (`--json`) or
 * the lines to stdout, and problems to stderr. Slow steps report on a Progress, drawn on stderr
 * only when stderr is a terminal and the output is not JSON. Nothing printed is a secret or an
 * event body: commands put only ids, names, counts and times in their results.
 */
import type { ExitCode } from './args';

export interface CommandResult {
  code: ExitCode;
  /** The `--json` document. */
  data: Record<string, unknown>;
  /** The plain-text output, one line each. */
  lines: string[];
  /** Printed to stderr in both modes (why a command failed or refused). */
  problems?: string[];
}

export interface Writer {
  write(text: string): unknown;
}

export function render(result: CommandResult, json: boolean, stdout: Writer, stderr: Writer): void {
  if (json) stdout.write(`${JSON.stringify(result.data, null, 2)}\n`);
  else for (const line of result.lines) stdout.write(`${line}\n`);
  for (const problem of result.problems ?? []) stderr.write(`connector: ${problem}\n`);
}

/** A slow step's indicator: `step` says what is being done now, `done` clears it. */
export interface Progress {
  step(text: string): void;
  done(): void;
}

export const NO_PROGRESS: Progress = { step: () => undefined, done: () => undefined };

const FRAMES = ['|', '/', '-', '\\'];

/** A one-line indicator on `stream`, redrawn in place; none unless it is a TTY and `enabled`. */
export function terminalProgress(stream: Writer & { isTTY?: boolean }, enabled: boolean): Progress {
  if (!enabled || stream.isTTY !== true) return NO_PROGRESS;
  let frame = 0;
  let shown = false;
  return {
    step(text: string) {
      frame = (frame + 1) % FRAMES.length;
      stream.write(`\r\x1b[2K${FRAMES[frame]} ${text}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** `key: value` lines, aligned, skipping undefined values. */
export function fields(entries: ReadonlyArray<[string, unknown]>, indent = ''): string[] {
  const present = entries.filter(
    ([, value]) => value !== undefined && value !== null && value !== '',
  );
  const width = Math.max(0, ...present.map(([key]) => key.length));
  return present.map(
    ([key, value]) =>
      `${indent}${`${key}:`.padEnd(width + 2)}${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
}

/** A plain table: a header row and aligned columns. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** "3m 20s", "2h 5m", "n/a". */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return 'n/a';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
