/**
 * `npm run rules -- publish <file> --bucket NAME [--key KEY]`: validates a rules file (or a whole
 * connector config, whose `rules` are taken) exactly as `cdk synth` does, then writes it as the
 * new version of the rules object the worker reads (lib/rules-store.ts); workers take it within a
 * minute. The bucket keeps every version, so a rollback is publishing (or copying back) an older
 * one. Exit codes: 0 published (or --help), 1 unreadable file or S3 failure, 2 invalid file or usage
 * (as `rules test` and `rules check`).
 *
 * The bucket is given by name (the state stack's RulesBucketName output) for now: finding it from
 * the stack outputs belongs with the operator CLI, which would add a CloudFormation client.
 */
import { readFile as readFileFromDisk } from 'node:fs/promises';
import { PutObjectCommand, type PutObjectCommandOutput } from '@aws-sdk/client-s3';
import * as v from 'valibot';
import { ConfigError, rulesSchema, type Rules } from '../lambdas/core/config';
import { describeIssues } from '../lambdas/core/parse-json';
import { RULES_OBJECT_KEY, rulesDocument } from '../lambdas/core/rules-document';
import { rulesVersionOf } from '../lambdas/core/rules-source';
import { validateConnectorConfig } from '../lib/load-config';

export const PUBLISH_USAGE = `usage: npm run rules -- publish <file> --bucket NAME [--key KEY]
  <file>         a rules file ({"defaultAction": ..., "rules": [...]}) or a whole connector
                 config (a file with "marketplace"), whose "rules" are published
  --bucket NAME  the rules bucket: output RulesBucketName of the AlayaCareConnectorState stack
  --key KEY      the rules object (default ${RULES_OBJECT_KEY}: output RulesObjectKey)
  --help         this text
The file is validated as cdk synth validates it; one line per bad field, exit 2.
Published rules reach the workers within a minute. Exit 0 published, 1 failed, 2 invalid.`;

export const PUBLISH_EXIT = { published: 0, failed: 1, invalid: 2 } as const;
export type PublishExit = (typeof PUBLISH_EXIT)[keyof typeof PUBLISH_EXIT];

export interface PublishIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** The one S3 call the command makes (S3Client satisfies it; tests pass a plain object). */
export interface RulesObjectWriter {
  send(command: PutObjectCommand): Promise<Pick<PutObjectCommandOutput, 'VersionId'>>;
}

export interface PublishDeps {
  s3: RulesObjectWriter;
  /** Reads the file as UTF-8 (default: from disk). */
  readFile?: (file: string) => string | Promise<string>;
}

interface PublishArgs {
  file: string;
  bucket: string;
  key: string;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** S3 general purpose bucket names, so a misplaced argument is caught before any call. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function parseArgs(argv: readonly string[]): PublishArgs | 'help' {
  const positional: string[] = [];
  let bucket: string | undefined;
  let key = RULES_OBJECT_KEY;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv.at(++i);
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--bucket') bucket = value();
    else if (arg === '--key') key = value();
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 1)
    throw new UsageError(
      positional.length === 0 ? 'give the rules file to publish' : 'give one file only',
    );
  if (bucket === undefined)
    throw new UsageError('--bucket is required (the RulesBucketName output of the state stack)');
  if (!BUCKET_NAME.test(bucket))
    throw new UsageError(`--bucket ${bucket} is not an S3 bucket name`);
  if (key.trim() === '') throw new UsageError('--key must not be empty');
  return { file: positional[0], bucket, key };
}

/**
 * The rules in a file, validated as synth validates them: a whole config through the deployment
 * checks (lib/load-config.ts), a rules object through the rules schema and the size bound.
 * Returns the problems, one per line, instead when it is invalid.
 */
function rulesFromFile(file: string, text: string): { rules: Rules } | { problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error: unknown) {
    return {
      problems: [`not valid JSON${error instanceof SyntaxError ? `: ${error.message}` : ''}`],
    };
  }
  try {
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'marketplace' in raw) {
      return { rules: validateConnectorConfig(raw, `config file ${file}`).rules };
    }
    const parsed = v.safeParse(rulesSchema, raw);
    if (!parsed.success) return { problems: describeIssues(parsed.issues).split('\n') };
    rulesDocument(parsed.output);
    return { rules: parsed.output };
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    // "Invalid <source>:" then one line per field; a single-line message is one problem.
    const lines = error.message.split('\n');
    return { problems: lines.length > 1 ? lines.slice(1) : lines };
  }
}

function describeFailure(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { name, message } = error as { name?: unknown; message?: unknown };
  return [name, message].filter((part) => typeof part === 'string' && part !== '').join(': ');
}

/**
 * Runs `publish` with its arguments (those after `publish`); resolves with the exit code.
 * Prints `published: <rules version> (s3 version <VersionId>)` on success.
 */
export async function publishRules(
  argv: readonly string[],
  io: PublishIo,
  deps: PublishDeps,
): Promise<PublishExit> {
  let args: PublishArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (error: unknown) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`rules publish: ${error.message}`);
    io.stderr(PUBLISH_USAGE);
    return PUBLISH_EXIT.invalid;
  }
  if (args === 'help') {
    io.stdout(PUBLISH_USAGE);
    return PUBLISH_EXIT.published;
  }

  let text: string;
  try {
    text = await (deps.readFile ?? ((file) => readFileFromDisk(file, 'utf8')))(args.file);
  } catch (error: unknown) {
    const code =
      typeof error === 'object' && error !== null && 'code' in error
        ? String(error.code)
        : describeFailure(error);
    io.stderr(`rules publish: cannot read ${args.file} (${code})`);
    return PUBLISH_EXIT.failed;
  }

  const read = rulesFromFile(args.file, text);
  if ('problems' in read) {
    for (const problem of read.problems) io.stderr(`${args.file}: ${problem}`);
    io.stderr('rules publish: nothing published');
    return PUBLISH_EXIT.invalid;
  }

  const version = rulesVersionOf(read.rules);
  try {
    const output = await deps.s3.send(
      new PutObjectCommand({
        Bucket: args.bucket,
        Key: args.key,
        Body: rulesDocument(read.rules),
        ContentType: 'application/json',
      }),
    );
    io.stdout(
      `published: ${version} (s3 version ${output.VersionId ?? 'none: the bucket is not versioned'})`,
    );
    return PUBLISH_EXIT.published;
  } catch (error: unknown) {
    io.stderr(
      `rules publish: could not write s3://${args.bucket}/${args.key}: ${describeFailure(error)}`,
    );
    return PUBLISH_EXIT.failed;
  }
}
