/**
 * `npm start`: the local sandbox. Streams simulated offers through the real receiver and worker
 * until Ctrl-C. `npm start -- --once` plays the fixed scenario, prints as its last line
 * `sandbox: <N> offers, <A> accepted, <D> declined, <R> review, <L> lost` and exits 0 only when
 * nothing was lost and the marketplace agrees with the store. `--once --scenario contention`
 * plays the contention drill instead and adds `, <T> answered twice, <C> contradicted` (counted
 * by the marketplace simulator); it exits 0 only when L, T and C are all 0 and nothing disagrees.
 * `--once --scenario outage` and `--once --scenario bad-password` play the outage drills
 * (outage-drill.ts, bad-password-drill.ts): `sandbox: note: ...` lines with what they measured,
 * then the supply summary; exit 0 only when nothing is lost, answered twice or contradicted and
 * the drill's own condition held.
 * `--once --role demand` plays the demand scenario and ends with
 * `sandbox: <N> offers, <S> assigned, <W> waiting, <X> declined by all, <E> expired, <L> lost`;
 * `--once --role both` plays both for one organisation and ends with
 * `sandbox: supply <N> offers, <A> accepted, <D> declined, <R> review, <L> lost; demand <N> offers, ...`
 * (definitions: sandbox/demand-outcomes.ts and roles.ts).
 */
import type { Role } from '../lambdas/core/config';
import { errorMessage } from './http-util';
import { SANDBOX_ROLES } from './roles';
import { isSupplyDrill } from './supply-drills';
import { loadRules, runSandbox, type SandboxOptions } from './run-sandbox';

// The SDK's notice about its future Node.js support says nothing about the sandbox; keep the
// console for the sandbox's own story (set the variable to false to see it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `usage: npm start -- [--once [--role supply|demand|both] [--scenario contention|outage|bad-password]] [--verbose] [--seed N] [--signature-version 1|2] [--rules FILE] [--capture DIR]
  --once                 play the fixed scenario to the end, print a summary, exit 0 only if nothing was lost
  --role R               with --once: the connector's side (default supply)
                           supply: offers matched to the connector's organisation, decided by the rules;
                                   "sandbox: <N> offers, <A> accepted, <D> declined, <R> review, <L> lost"
                           demand: outbox offers the simulator posts for the connector's organisation
                                   (assignment manual), answered by the simulator's suppliers, assigned by the
                                   connector to the earliest accepted match; "sandbox: <N> offers, <S> assigned,
                                   <W> waiting, <X> declined by all, <E> expired, <L> lost"
                           both:   one organisation with both personas, the two scenarios at once;
                                   "sandbox: supply <N> offers, ... <L> lost; demand <N> offers, ... <L> lost"
  --scenario contention  with --once (role supply): the contention drill (47 offers, shifts and bundles judged differently,
                         every event delivered twice, the reconciler every 1.5 s, 5 worker invocations at once,
                         5% 5xx/429 with latency); the summary adds "<T> answered twice, <C> contradicted",
                         counted by the marketplace simulator; exit 0 only if L, T and C are all 0
  --scenario outage      with --once (role supply): the receiver answers 503 until SNS has given up on 9 of the 24 offers;
                         it comes back, and the reconciler (every 1 s) must find each of them for the worker to decide;
                         exit 0 only if nothing is lost and SNS gave up on at least a third
  --scenario bad-password
                         with --once (role supply): the worker's secret holds a wrong password; records fail
                         (retries scaled to 1/1/1/3 s) and the first 5 reach the DLQ; the password is fixed in the
                         secret, the DLQ redriven as 'connector dlq redrive' does; exit 0 only if every offer is
                         decided and at least one dead letter was redriven
  --verbose              INFO logs from the receiver and worker (and the drill's reconciler), a line per offer and marketplace call
  --seed N               seed of the streamed offer mix and of the simulator's made-up clients (default 1)
  --signature-version V  SNS SignatureVersion the simulator signs with (default 2)
  --rules FILE           a connector config or a rules JSON file (default config/connector.example.json);
                         any role (demand: the rules are loaded and checked, but no inbox offer meets them)
  --capture DIR          with --once (not the drill): at the end, write what the connector wrote (every DynamoDB item,
                         notifications, EventBridge events, EMF metrics) to DIR/connector/, and the simulator's client
                         canaries and the details it served to DIR/simulator/ (PHI), for the no-PHI search`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseArgs(argv: readonly string[]): Omit<SandboxOptions, 'signal' | 'print'> {
  const options: Omit<SandboxOptions, 'signal' | 'print'> = { mode: 'stream' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv.at(++i);
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--once':
        options.mode = 'once';
        break;
      case '--scenario': {
        const scenario = value();
        if (scenario !== 'contention' && scenario !== 'default' && !isSupplyDrill(scenario))
          throw new UsageError(
            '--scenario must be contention, outage or bad-password (or default)',
          );
        options.scenario = scenario;
        break;
      }
      case '--role': {
        const role = value();
        if (!(SANDBOX_ROLES as readonly string[]).includes(role))
          throw new UsageError('--role must be supply, demand or both');
        options.role = role as Role;
        break;
      }
      case '--verbose':
        options.verbose = true;
        break;
      case '--seed': {
        const seed = Number(value());
        if (!Number.isInteger(seed)) throw new UsageError('--seed must be an integer');
        options.seed = seed;
        break;
      }
      case '--signature-version': {
        const version = value();
        if (version !== '1' && version !== '2')
          throw new UsageError('--signature-version must be 1 or 2');
        options.signatureVersion = version;
        break;
      }
      case '--capture':
        options.captureDir = value();
        break;
      case '--rules':
        options.rules = loadRules(value());
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown argument ${arg}`);
    }
  }
  const drill = options.scenario === 'contention' || isSupplyDrill(options.scenario);
  if (drill && options.mode !== 'once')
    throw new UsageError(`--scenario ${options.scenario} needs --once`);
  if (
    options.captureDir !== undefined &&
    (options.mode !== 'once' || options.scenario === 'contention')
  )
    throw new UsageError('--capture needs --once (and not --scenario contention)');
  if (options.role !== undefined && options.role !== 'supply') {
    if (options.mode !== 'once')
      throw new UsageError(`--role ${options.role} needs --once (the stream plays supply offers)`);
    if (drill) throw new UsageError(`--scenario ${options.scenario} is for --role supply`);
  }
  return options;
}

async function main(): Promise<number> {
  let options: Omit<SandboxOptions, 'signal' | 'print'>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error: unknown) {
    process.stderr.write(`${errorMessage(error)}\n${USAGE}\n`);
    return 2;
  }
  const stop = new AbortController();
  let firstSignalAt = 0;
  const onSignal = () => {
    if (!stop.signal.aborted) {
      firstSignalAt = Date.now();
      stop.abort();
      return;
    }
    // One Ctrl-C arrives more than once (from the terminal and relayed by npm/tsx): only a
    // second press, a moment later, forces the exit.
    if (Date.now() - firstSignalAt > 1500) {
      process.stderr.write('sandbox: forced exit\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const result = await runSandbox({ ...options, signal: stop.signal });
  for (const problem of result.problems) process.stdout.write(`sandbox: problem: ${problem}\n`);
  for (const note of result.notes) process.stdout.write(`sandbox: note: ${note}\n`);
  // The summary is the last line: scripts and the e2e test read it.
  process.stdout.write(`${result.summary}\n`);
  if (options.mode === 'stream') return 0;
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sandbox: failed: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);
