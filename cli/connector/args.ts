/**
 * Argument parsing for `npx connector`: flags and options a command declares, positionals kept in
 * order, and a UsageError (exit 2) for anything else. The options every command takes (`--json`,
 * `--sandbox`, `--region`, `--help`) are declared here once.
 */

/** Exit codes: done, failed (or refused), usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `flag`: present or not; `value`: takes the next argument (or `--name=value`). */
export type OptionKind = 'flag' | 'value';

export const GLOBAL_OPTIONS = {
  json: 'flag',
  sandbox: 'flag',
  region: 'value',
  help: 'flag',
} as const satisfies Record<string, OptionKind>;

export const GLOBAL_USAGE = `  --json          print one JSON document instead of text
  --sandbox       use the running local sandbox (npm start) instead of AWS
  --region R      AWS region of the stacks (default: AWS_REGION / the profile's, via the SDK)
  --help          this help`;

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

/** Parses `argv` against the command's options and the global ones; `-h` is `--help`. */
export function parseArgs(
  argv: readonly string[],
  options: Readonly<Record<string, OptionKind>> = {},
): ParsedArgs {
  const known: Partial<Record<string, OptionKind>> = { ...GLOBAL_OPTIONS, ...options };
  const parsed: ParsedArgs = { positionals: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      parsed.flags.add('help');
      continue;
    }
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1) throw new UsageError(`unknown option ${arg}`);
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = known[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind === 'flag') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      parsed.flags.add(name);
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : argv.at(++i);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    parsed.values.set(name, value);
  }
  return parsed;
}

/** The positionals, exactly `count` of them (or between `min` and `max`), else a UsageError naming `what`. */
export function expectPositionals(
  parsed: ParsedArgs,
  what: string,
  min: number,
  max = min,
): string[] {
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`missing ${what}`);
  if (n > max) throw new UsageError(`unexpected argument ${parsed.positionals[max]}`);
  return parsed.positionals;
}
