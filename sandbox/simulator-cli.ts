/**
 * `npm run simulator -- --port <p>`: the marketplace simulator alone, with a seeded supply and a
 * seeded demand organisation and a few open offers, serving until Ctrl-C, to explore with curl.
 * Its first lines on stdout are exactly:
 *
 *   simulator: <base URL>
 *   org: supply <organization_id> <username> <password>
 *   org: demand <organization_id> <username> <password>
 *
 * and with `--both`, a third: `org: both <organization_id> <username> <password>`, an organisation
 * holding both personas (its topics: `inbox-offers-<first 8 of its id>`, `outbox-offers-...`).
 *
 * (the passwords are generated for this run and printed on purpose: this is a local test
 * double). Faults for the run are set with the options below.
 */
import { errorMessage } from './http-util';
import {
  DEFAULT_SIGNATURE_VERSION,
  type FaultPlan,
  type SimulatorOptions,
  startSimulator,
} from './simulator/simulator';

const USAGE = `usage: npm run simulator -- [--port P] [options]
  --port P                 API port on 127.0.0.1 (default 0: any free port)
  --sns-port P             port of the local SNS stand-in (certificate, confirmation links)
  --offers N               open offers to seed (default 3)
  --assignment auto|manual the demand organisation's offer assignment (default manual)
  --both                   also an organisation with both personas (one login: inbox and outbox)
  --signature-version 1|2  SNS SignatureVersion (default ${DEFAULT_SIGNATURE_VERSION})
  --token-ttl S            token lifetime in seconds (default 3600)
  --seed N                 seed of the fault generator (default 1)
  --latency MS             added latency per API answer
  --error-rate R           share of API requests answered 503 (0..1)
  --error-after-rate R     share of POSTs that take effect but are answered 502
  --throttle-rate R        share answered 429 with Retry-After
  --timeout-rate R         share never answered
  --drop-rate R            share of SNS deliveries dropped
  --duplicate-rate R       share delivered twice
  --reorder-rate R         share delivered after the next message
  --delivery-retries N     SNS retries after a failed delivery (default 3)
  --retry-delay-ms MS      pause between SNS retries (default 20000, as SNS)`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface CliOptions {
  simulator: SimulatorOptions;
  offers: number;
  both: boolean;
}

function parseArgs(argv: readonly string[]): CliOptions {
  const faults: FaultPlan = { api: {}, delivery: {} };
  const api = faults.api ?? {};
  const delivery = faults.delivery ?? {};
  const simulator: SimulatorOptions = { faults, retryDelayMs: 20_000 };
  let offers = 3;
  let both = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv.at(++i);
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    const int = (min = 0): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min)
        throw new UsageError(`${arg} must be an integer >= ${min}`);
      return n;
    };
    const rate = (): number => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0 || n > 1)
        throw new UsageError(`${arg} must be between 0 and 1`);
      return n;
    };
    switch (arg) {
      case '--port':
        simulator.port = int();
        break;
      case '--sns-port':
        simulator.snsPort = int();
        break;
      case '--offers':
        offers = int();
        break;
      case '--both':
        both = true;
        break;
      case '--assignment': {
        const v = value();
        if (v !== 'auto' && v !== 'manual')
          throw new UsageError('--assignment must be auto or manual');
        simulator.demand = { assignment: v };
        break;
      }
      case '--signature-version': {
        const v = value();
        if (v !== '1' && v !== '2') throw new UsageError('--signature-version must be 1 or 2');
        simulator.signatureVersion = v;
        break;
      }
      case '--token-ttl':
        simulator.tokenTtlSeconds = int(1);
        break;
      case '--seed':
        faults.seed = int();
        break;
      case '--latency':
        api.latencyMs = int();
        break;
      case '--error-rate':
        api.errorRate = rate();
        break;
      case '--error-after-rate':
        api.errorAfterRate = rate();
        break;
      case '--throttle-rate':
        api.throttleRate = rate();
        break;
      case '--timeout-rate':
        api.timeoutRate = rate();
        break;
      case '--drop-rate':
        delivery.dropRate = rate();
        break;
      case '--duplicate-rate':
        delivery.duplicateRate = rate();
        break;
      case '--reorder-rate':
        delivery.reorderRate = rate();
        break;
      case '--delivery-retries':
        simulator.deliveryRetries = int();
        break;
      case '--retry-delay-ms':
        simulator.retryDelayMs = int();
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
  return { simulator, offers, both };
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error: unknown) {
    process.stderr.write(`${errorMessage(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  const sim = await startSimulator(options.simulator);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // These first lines are a contract (scripts read them): keep their order and shape.
  out(`simulator: ${sim.url}`);
  if (options.both) sim.addOrganization({ kind: 'both', name: 'Riverside Home Care' });
  for (const org of sim.organizations())
    out(`org: ${org.kind} ${org.organizationId} ${org.username} ${org.password}`);

  const places = ['Toronto', 'Ottawa', 'Hamilton', 'Mississauga'];
  for (let i = 0; i < options.offers; i++) {
    sim.addOffer({
      careType: i % 3 === 2 ? 'nursing' : 'psw',
      offerType: i % 2 === 0 ? 'visit' : 'service',
      city: places[i % places.length],
    });
  }
  out(`offers: ${options.offers} open offers matched to the supply organisation`);
  out(
    `topics: ${[sim.inboxOffersTopicArn, sim.inboxReferralsTopicArn, sim.outboxOffersTopicArn, sim.outboxReferralsTopicArn].join(' ')}`,
  );
  out(`sns: certificate and confirmation links served at ${sim.snsLocalUrl}`);
  out(
    `try: curl -s -X POST ${sim.url}/auth/v1/login -H 'content-type: application/json' -d '{"username":"...","password":"..."}'`,
  );
  out('simulator: serving until Ctrl-C');

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator: failed: ${errorMessage(error)}\n`);
  process.exit(1);
});
