/**
 * `npx connector <command>`: the operator CLI (cli/connector.js registers tsx and runs this).
 * `main(argv, env)` parses, finds the resources (AWS stacks' outputs, or the running sandbox with
 * `--sandbox`), runs the command and prints its result; it returns the exit code: 0 done,
 * 1 failed or refused, 2 usage. Tests call it with their own writers and resources.
 */
import { main as rulesMain, nodeIo as rulesIo } from '../rules';
import {
  EXIT,
  type ExitCode,
  expectPositionals,
  GLOBAL_USAGE,
  type OptionKind,
  parseArgs,
  type ParsedArgs,
  UsageError,
} from './args';
import { DLQ_USAGE, dlqList, dlqRedrive } from './dlq';
import { OFFER_USAGE, offer } from './offer';
import { type CommandResult, render, terminalProgress, type Writer } from './output';
import { REPLAY_USAGE, replay } from './replay';
import {
  awsResources,
  clientsFor,
  type CommandContext,
  type ConnectorResources,
  sandboxResources,
} from './resources';
import { STATUS_USAGE, status } from './status';
import { SUBSCRIBE_USAGE, subscribe } from './subscribe';

export const USAGE = `usage: npx connector <command> [options]

commands:
  status                      queues, dead letters, events and decisions by outcome, alarms
  offer <offer-id>            the offer's record: match, decision, events seen, referral
  replay <offer-id> [--force] re-run the decision for one offer through the queue
  dlq list                    the dead letters, with the last error recorded for each
  dlq redrive (--all | <id>...)  move dead letters back to the events queue
  subscribe [--call]          the e-mail to send AlayaCare, or subscribe through the API
  rules test|check|publish    the rules commands (as npm run rules); publish without --bucket
                              publishes to the deployed stack's rules bucket and object

options (every command):
${GLOBAL_USAGE}

Resources come from the stacks' CloudFormation outputs in AWS (credentials and region from the
SDK's default chain: AWS_PROFILE, AWS_REGION, ...), or from the running sandbox with --sandbox.
Each command takes --help. Exit status: 0 done, 1 failed or refused, 2 usage error.`;

export interface MainEnv {
  stdout: Writer;
  stderr: Writer & { isTTY?: boolean };
  now?: () => Date;
  /** Where resources come from (tests); default: AWS, or the sandbox file with --sandbox. */
  resources?: (args: ParsedArgs) => Promise<ConnectorResources>;
}

interface CommandSpec {
  usage: string;
  options?: Record<string, OptionKind>;
  run: (ctx: CommandContext, args: ParsedArgs) => Promise<CommandResult>;
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

const COMMANDS: Partial<Record<string, CommandSpec>> = {
  status: {
    usage: STATUS_USAGE,
    run: async (ctx, args) => {
      expectPositionals(args, 'nothing', 0);
      return status(ctx);
    },
  },
  offer: {
    usage: OFFER_USAGE,
    run: async (ctx, args) => offer(ctx, expectPositionals(args, 'the offer id', 1)[0]),
  },
  replay: {
    usage: REPLAY_USAGE,
    options: { force: 'flag' },
    run: async (ctx, args) =>
      replay(ctx, expectPositionals(args, 'the offer id', 1)[0], {
        force: args.flags.has('force'),
      }),
  },
  subscribe: {
    usage: SUBSCRIBE_USAGE,
    options: { call: 'flag' },
    run: async (ctx, args) => {
      expectPositionals(args, 'nothing', 0);
      return subscribe(ctx, { call: args.flags.has('call') });
    },
  },
  dlq: {
    usage: DLQ_USAGE,
    options: { all: 'flag', max: 'value' },
    run: async (ctx, args) => {
      const sub = args.positionals.at(0);
      const ids = args.positionals.slice(1);
      if (sub === 'list') {
        if (ids.length > 0) throw new UsageError(`unexpected argument ${ids[0]}`);
        if (args.flags.has('all')) throw new UsageError('--all is for dlq redrive');
        const max = positiveInt(args.values.get('max'), 'max');
        return dlqList(ctx, max !== undefined ? { max } : {});
      }
      if (sub === 'redrive') {
        if (args.values.has('max')) throw new UsageError('--max is for dlq list');
        return dlqRedrive(ctx, { all: args.flags.has('all'), ids });
      }
      throw new UsageError(
        sub === undefined ? 'dlq needs list or redrive' : `unknown dlq command ${sub}`,
      );
    },
  },
};

/** Parses the command's arguments first, so a usage error never waits on AWS. */
async function runCommand(
  name: string,
  spec: CommandSpec,
  argv: readonly string[],
  env: MainEnv,
): Promise<ExitCode> {
  const args = parseArgs(argv, spec.options);
  if (args.flags.has('help')) {
    env.stdout.write(`${spec.usage}\n`);
    return EXIT.ok;
  }
  if (args.flags.has('sandbox') && args.values.has('region'))
    throw new UsageError('--region is for AWS, not --sandbox');
  // Positional checks before any network call: a dry run of the command with no context.
  validateShape(name, args);
  const json = args.flags.has('json');
  const progress = terminalProgress(env.stderr, !json);
  progress.step(`${name}: finding the connector's resources`);
  const resources = await (env.resources ?? defaultResources)(args).finally(() => {
    progress.done();
  });
  const clients = clientsFor(resources);
  try {
    const result = await spec.run(
      { resources, clients, progress, now: env.now ?? (() => new Date()) },
      args,
    );
    render(result, json, env.stdout, env.stderr);
    return result.code;
  } finally {
    progress.done();
    clients.destroy();
  }
}

/** The usage errors that need no resources (counts of positionals, dlq's subcommand). */
function validateShape(name: string, args: ParsedArgs): void {
  if (name === 'status' || name === 'subscribe') expectPositionals(args, 'nothing', 0);
  if (name === 'offer' || name === 'replay') expectPositionals(args, 'the offer id', 1);
  if (name === 'dlq') {
    const sub = args.positionals.at(0);
    const ids = args.positionals.slice(1);
    if (sub !== 'list' && sub !== 'redrive')
      throw new UsageError(
        sub === undefined ? 'dlq needs list or redrive' : `unknown dlq command ${sub}`,
      );
    if (sub === 'redrive' && args.flags.has('all') === ids.length > 0)
      throw new UsageError('dlq redrive takes --all or one or more ids (not both)');
    if (sub === 'list') positiveInt(args.values.get('max'), 'max');
  }
}

async function defaultResources(args: ParsedArgs): Promise<ConnectorResources> {
  return args.flags.has('sandbox') ? sandboxResources() : awsResources(args.values.get('region'));
}

/**
 * `rules publish` without `--bucket` publishes to the deployed rules bucket and object, found from
 * the state stack's outputs (the region from the SDK's default chain).
 */
export async function withRulesBucket(args: readonly string[], env: MainEnv): Promise<string[]> {
  const asIs = [...args];
  if (
    args[0] !== 'publish' ||
    args.some((arg) => ['--bucket', '--help', '-h'].includes(arg) || arg.startsWith('--bucket='))
  )
    return asIs;
  const resources = await (env.resources ?? defaultResources)(parseArgs([]));
  if (resources.rules === undefined)
    throw new Error(
      'this connector has no rules bucket (the sandbox reads its rules from a file): pass --bucket',
    );
  return [
    ...asIs,
    '--bucket',
    resources.rules.bucket,
    ...(args.includes('--key') ? [] : ['--key', resources.rules.key]),
  ];
}

export async function main(argv: readonly string[], env: MainEnv): Promise<ExitCode> {
  const name = argv.at(0);
  const rest = argv.slice(1);
  try {
    if (name === undefined) throw new UsageError('missing command');
    if (name === '--help' || name === '-h' || name === 'help') {
      env.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    // The rules commands, as npm run rules runs them (their own usage and exit codes).
    if (name === 'rules')
      return (await rulesMain(await withRulesBucket(rest, env), rulesIo())) as ExitCode;
    const spec = COMMANDS[name];
    if (spec === undefined) throw new UsageError(`unknown command ${name}`);
    try {
      return await runCommand(name, spec, rest, env);
    } catch (error: unknown) {
      if (error instanceof UsageError) {
        env.stderr.write(`connector ${name}: ${error.message}\n${spec.usage}\n`);
        return EXIT.usage;
      }
      throw error;
    }
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      env.stderr.write(`connector: ${error.message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    const label =
      error instanceof Error && error.name !== 'Error' && error.name !== 'ResourceError'
        ? `${error.name}: `
        : '';
    env.stderr.write(
      `connector${name ? ` ${name}` : ''}: ${label}${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.failed;
  }
}

if (require.main === module) {
  // The SDK's notice about its future Node.js support is not the operator's concern here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
