/**
 * `npm run rules -- <command>`: try rules before deploying them.
 *
 *   test <config-or-rules.json> <offer.json> [--now ISO]   the decision the worker would make
 *   check <file>                                          validate a rules or config file
 *   publish ...                                           (the rules store; see COMMANDS)
 *
 * `main(argv, io)` does everything and returns the exit code (0 done, 2 invalid input or usage),
 * so tests drive it with their own writers, files and clock; the last lines are the thin entry.
 * An offer file is read as the worker reads the marketplace's answer (inbox-offer.ts) and judged
 * by the worker's own judgeUnit, so what this prints is what the worker would decide. Nothing of
 * an offer is ever printed but its id and the explanation (fields and limits, no client values).
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { readInboxOffer } from '../lambdas/adapters/marketplace/inbox-offer';
import {
  connectorConfigSchema,
  rulesSchema,
  rulesTimeZone,
  type Rules,
} from '../lambdas/core/config';
import { isAnswerable, judgeUnit } from '../lambdas/core/judge';
import { isOvernight } from '../lambdas/core/local-time';
import { describeIssues, type Issues } from '../lambdas/core/parse-json';
import type { InboxOffer } from '../lambdas/core/ports';
import { ruleLabel } from '../lambdas/core/rules-schema';

/** Plain functions (no `this`), so a command may pass `io.out` on by itself. */
export interface CliIo {
  /** Writes one line to standard output. */
  out: (line: string) => void;
  /** Writes one line to standard error. */
  err: (line: string) => void;
  /** The file's text; throws (with a `code` such as ENOENT) when it cannot be read. */
  readFile(path: string): string;
  /** The time `test` judges at without `--now`. */
  now(): Date;
}

/** A command's exit code; `test` and `check` answer at once, `publish` after S3 does. */
export type Command = (args: readonly string[], io: CliIo) => number | Promise<number>;

export const EXIT_OK = 0;
export const EXIT_INVALID = 2;

const USAGE = `usage: npm run rules -- <command> [options]

commands:
  test <config-or-rules.json> <offer.json> [--now ISO]
                  print the decision the worker would make on an offer detail (or a JSON
                  array of the offers of one shift): first line
                  "decision: <accept|decline|review|ignore> (rule: <name|default>)", then why
  check <file>    validate a rules file or a whole connector config file
  publish         store rules for the deployed worker (not in every build)

Each command takes --help. Exit status: 0 done, 2 invalid input (one line per bad field).`;

const TEST_USAGE = `usage: npm run rules -- test <config-or-rules.json> <offer.json> [--now ISO]

  <config-or-rules.json>  a connector config (its "rules") or a rules object
  <offer.json>            GET /offers/v1/inbox/offers/{id} exactly as the marketplace answers it,
                          or a JSON array of such answers for the offers of one shift
  --now ISO               judge at this time (ISO 8601, e.g. 2026-05-04T13:00:00Z); default: now

Prints "decision: <action> (rule: <name|default>)", then the explanation: the rule that decided,
and for each earlier rule the first condition that did not hold.`;

const CHECK_USAGE = `usage: npm run rules -- check <file>

Validates a rules object ({"defaultAction", "rules", ...}) or a whole connector config file.
Prints "ok: ..." (and notes worth knowing) and exits 0, or prints one line per bad field on
stderr and exits 2.`;

class Invalid extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

function usageError(io: CliIo, line: string, command?: string): number {
  io.err(`${line} (npm run rules -- ${command === undefined ? '' : `${command} `}--help)`);
  return EXIT_INVALID;
}

function readJson(io: CliIo, path: string): unknown {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error: unknown) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new Invalid([`${path}: cannot be read (${code})`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes the text, which may be an offer: say where, not what.
    throw new Invalid([`${path}: not valid JSON`]);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A whole connector config has a `rules` object; a rules file has a `rules` list (or none). */
function isConnectorConfig(raw: unknown): boolean {
  return isObject(raw) && isObject(raw.rules);
}

/** The rules of a rules or config file, or Invalid with one line per bad field. */
function loadRules(io: CliIo, path: string): { rules: Rules; kind: 'rules' | 'config' } {
  const raw = readJson(io, path);
  const invalid = (issues: Issues) =>
    new Invalid(describeIssues(issues, ruleLabel(raw)).split('\n'));
  if (isConnectorConfig(raw)) {
    const config = v.safeParse(connectorConfigSchema, raw);
    if (!config.success) throw invalid(config.issues);
    return { rules: config.output.rules, kind: 'config' };
  }
  const rules = v.safeParse(rulesSchema, raw);
  if (!rules.success) throw invalid(rules.issues);
  return { rules: rules.output, kind: 'rules' };
}

/** The offers of an offer file (one detail, or the details of one shift), read as the worker does. */
function loadOffers(io: CliIo, path: string): InboxOffer[] {
  const raw = readJson(io, path);
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length === 0)
    throw new Invalid(['(root): an empty list; give an offer detail or the offers of one shift']);
  const offers: InboxOffer[] = [];
  const bad: string[] = [];
  items.forEach((item, index) => {
    const read = readInboxOffer(item);
    // Field paths only: the file is a marketplace answer and may hold client data.
    if (read.ok) offers.push(read.offer);
    else
      for (const field of read.fields)
        bad.push(
          `${Array.isArray(raw) ? `${index}.` : ''}${field}: missing or not as the API specifies`,
        );
  });
  if (bad.length > 0) throw new Invalid(bad);
  const shifts = new Set(offers.map((offer) => offer.shiftId ?? ''));
  if (offers.length > 1 && (shifts.size > 1 || shifts.has(''))) {
    throw new Invalid([
      '(root): the offers are not all of one shift (offer.shift_id differs or is missing)',
    ]);
  }
  return offers;
}

/** Options and positional arguments; an unknown option is a usage error. */
function parseTestArgs(args: readonly string[]): { files: string[]; now?: string } | string {
  const files: string[] = [];
  let now: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--now') {
      now = args.at(++i);
      if (now === undefined) return '--now needs an ISO 8601 date-time';
    } else if (arg.startsWith('--now=')) now = arg.slice('--now='.length);
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else files.push(arg);
  }
  if (files.length !== 2)
    return `test takes a rules or config file and an offer file (${files.length} given)`;
  return now === undefined ? { files } : { files, now };
}

const testCommand: Command = (args, io) => {
  if (wantsHelp(args)) {
    io.out(TEST_USAGE);
    return EXIT_OK;
  }
  const parsed = parseTestArgs(args);
  if (typeof parsed === 'string') return usageError(io, parsed, 'test');
  let now = io.now();
  if (parsed.now !== undefined) {
    // A full date and time, so a bare date is not silently read as midnight UTC.
    if (
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(parsed.now) ||
      Number.isNaN(Date.parse(parsed.now))
    ) {
      return usageError(
        io,
        '--now: not an ISO 8601 date-time such as 2026-05-04T13:00:00Z',
        'test',
      );
    }
    now = new Date(parsed.now);
  }
  const [rulesFile = '', offerFile = ''] = parsed.files;
  const { rules } = loadRules(io, rulesFile);
  const offers = loadOffers(io, offerFile);
  // As the worker: only the offers still answerable are judged; when none is, all are, and it says so.
  const answerable = offers.filter(isAnswerable);
  const judged = answerable.length > 0 ? answerable : offers;
  const decision = judgeUnit(rules, judged, now);
  io.out(`decision: ${decision.action} (rule: ${decision.rule})`);
  for (const line of decision.explanation ?? [decision.reason]) io.out(line);
  if (decision.offers !== undefined) {
    for (const own of decision.offers)
      io.out(`offer ${own.offerId}: ${own.action} (rule: ${own.rule})`);
  }
  if (decision.action === 'decline' && decision.declineReasonCode !== undefined)
    io.out(`reason_code: ${decision.declineReasonCode}`);
  if (
    (decision.action === 'accept' || decision.action === 'decline') &&
    decision.comment !== undefined
  )
    io.out(`comment: ${decision.comment}`);
  for (const offer of offers.filter((o) => !isAnswerable(o))) {
    const status = `${offer.match.response}/${offer.match.status ?? 'null'}`;
    io.out(
      `note: offer ${offer.id} is not answerable now (match ${status}): the worker ${answerable.length > 0 ? 'leaves it out' : 'would send nothing'}`,
    );
  }
  io.out(`judged at ${now.toISOString()} in ${rulesTimeZone(rules)}`);
  return EXIT_OK;
};

/** Things worth knowing about valid rules: overnight windows, names used twice, words never sent. */
function notes(rules: Rules): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const rule of rules.rules) {
    if (seen.has(rule.name))
      found.push(
        `rule "${rule.name}": the name is used by an earlier rule too; explanations will not tell them apart`,
      );
    seen.add(rule.name);
    const hours = rule.match.hours;
    if (hours !== undefined && isOvernight(hours))
      found.push(
        `rule "${rule.name}": hours ${hours.from}-${hours.to} is an overnight window (from the evening to the next morning)`,
      );
    if (rule.declineReasonCode !== undefined && rule.action !== 'decline')
      found.push(
        `rule "${rule.name}": declineReasonCode is sent only with decline; this rule's action is ${rule.action}`,
      );
    if (rule.comment !== undefined && (rule.action === 'review' || rule.action === 'ignore'))
      found.push(
        `rule "${rule.name}": comment is sent only with accept or decline; this rule's action is ${rule.action}`,
      );
  }
  return found.map((line) => `note: ${line}`);
}

const checkCommand: Command = (args, io) => {
  if (wantsHelp(args)) {
    io.out(CHECK_USAGE);
    return EXIT_OK;
  }
  const unknown = args.find((arg) => arg.startsWith('-'));
  if (unknown !== undefined) return usageError(io, `unknown option ${unknown}`, 'check');
  if (args.length !== 1)
    return usageError(io, `check takes one file (${args.length} given)`, 'check');
  const file = args[0] ?? '';
  const { rules, kind } = loadRules(io, file);
  const count = `${rules.rules.length} rule${rules.rules.length === 1 ? '' : 's'}`;
  io.out(
    `ok: ${file}: ${kind === 'config' ? 'connector config' : 'rules'} valid (${count}, default ${rules.defaultAction}, time zone ${rulesTimeZone(rules)})`,
  );
  for (const line of notes(rules)) io.out(line);
  return EXIT_OK;
};

/**
 * `publish`: stores rules in S3 for the deployed worker (cli/rules-publish.ts). Loaded only when
 * used, so `test` and `check` never load the AWS SDK.
 */
const publishCommand: Command = async (args, io) => {
  const [{ publishRules }, { S3Client }] = await Promise.all([
    import('./rules-publish'),
    import('@aws-sdk/client-s3'),
  ]);
  return publishRules(
    args,
    { stdout: io.out, stderr: io.err },
    { s3: new S3Client({}), readFile: (file) => io.readFile(file) },
  );
};

export const COMMANDS: Readonly<Record<string, Command>> = {
  test: testCommand,
  check: checkCommand,
  publish: publishCommand,
};

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const name = argv.at(0);
  const args = argv.slice(1);
  if (name === undefined) {
    io.err(USAGE);
    return EXIT_INVALID;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) return usageError(io, `unknown command ${name}`);
  try {
    return await command(args, io);
  } catch (error: unknown) {
    if (!(error instanceof Invalid)) throw error;
    for (const line of error.lines) io.err(line);
    return EXIT_INVALID;
  }
}

/** Node's own streams, files and clock. */
export function nodeIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    readFile: (path) => readFileSync(path, 'utf8'),
    now: () => new Date(),
  };
}

if (require.main === module) {
  void main(process.argv.slice(2), nodeIo()).then((code) => {
    process.exitCode = code;
  });
}
