/**
 * SNS signature verification throughput, warm caches, one process: this project's verifier
 * (`createSnsVerifier(...).verifySignature`), the npm `sns-validator` and `sns-payload-validator`
 * packages, and raw `crypto.verify` with a pre-parsed key over pre-built bytes (the ceiling).
 * All four verify the same genuinely signed Notifications, SignatureVersion 1 and 2. The contenders
 * and the certificate stand-in are in bench/receiver/contenders.ts.
 *
 * No network: both packages download certificates with `https.get`, which is replaced for the
 * whole run by a stand-in that serves the PEM from memory for the one certificate URL and fails
 * anything else; each package's own cache then keeps the PEM, as in production. The URL has the
 * `SimpleNotificationService-<32 alphanumerics>.pem` shape because `sns-payload-validator` accepts
 * nothing else (and `sns-validator` wants an amazonaws host).
 *
 * Timing: in each round every contender verifies for `--seconds`, in 100 ms slices taken in turn,
 * so load from other processes on a shared machine falls on all contenders alike; the table shows
 * the median of the rounds. Options: --seconds=<per contender per round, default 1.5>
 * --rounds=<default 3> --messages=<per SignatureVersion, default 256>.
 */
import { cpus } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  createSnsSigningIdentity,
  signSnsMessage,
  type SignedSnsMessage,
} from '../sandbox/sns-signing';
import { BenchmarkError } from './load/stats';
import {
  CERT_URL,
  type Contender,
  ours,
  rawVerify,
  rawVerifyBuilding,
  serveCertificateLocally,
  snsPayloadValidator,
  snsValidator,
  type VerifyAt,
} from './receiver/contenders';

export const description =
  'SNS signature verification msg/s: this verifier vs sns-validator, sns-payload-validator, raw crypto.verify';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:inbox-offers';
const VERSIONS = ['1', '2'] as const;
type Version = (typeof VERSIONS)[number];

interface Options {
  seconds: number;
  rounds: number;
  messages: number;
}

function parseOptions(args: readonly string[]): Options {
  const options: Options = { seconds: 1.5, rounds: 3, messages: 256 };
  for (const arg of args) {
    const match = /^--(seconds|rounds|messages)=(\d+(?:\.\d+)?)$/.exec(arg);
    if (!match)
      throw new BenchmarkError(
        `unknown option ${arg} (use --seconds=1.5 --rounds=3 --messages=256)`,
      );
    const value = Number(match[2]);
    if (!(value > 0)) throw new BenchmarkError(`--${match[1]} must be positive`);
    options[match[1] as keyof Options] = match[1] === 'seconds' ? value : Math.ceil(value);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Measuring

async function verifyAll(verify: VerifyAt, count: number): Promise<boolean[]> {
  const results: boolean[] = [];
  for (let index = 0; index < count; index += 1) results.push(await verify(index));
  return results;
}

interface Tally {
  done: number;
  ns: number;
  /** Next message to verify, so slices walk through all the messages in turn. */
  next: number;
}

/** Messages verified between two clock reads: small enough for slices to end on time. */
const CHECK_EVERY = 16;

/**
 * Verifies messages in turn for about `ns` nanoseconds and adds to the tally. Every one must
 * verify: a contender that refused a genuine message while timed would be measuring an error path.
 */
async function runSlice(verify: VerifyAt, count: number, ns: number, tally: Tally): Promise<void> {
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(ns));
  let elapsed = 0n;
  let done = 0;
  let failed = 0;
  while (elapsed < budget) {
    for (let step = 0; step < CHECK_EVERY; step += 1) {
      const result = verify(tally.next);
      tally.next = (tally.next + 1) % count;
      // Raw crypto.verify is synchronous: awaiting it would only time the microtask queue.
      const valid = typeof result === 'boolean' ? result : await result;
      if (!valid) failed += 1;
    }
    done += CHECK_EVERY;
    elapsed = process.hrtime.bigint() - start;
  }
  if (failed > 0)
    throw new BenchmarkError(`${failed} genuine messages failed to verify while timed`);
  tally.done += done;
  tally.ns += Number(elapsed);
}

/** Slice length: contenders alternate this often, so a busy moment on a shared machine hits all. */
const SLICE_NS = 100e6;

/**
 * One round: each contender gets `seconds` of verification, in slices that alternate between
 * the contenders (starting with a different one each round). Returns msg/s per contender.
 */
async function measureRound(
  verifiers: readonly VerifyAt[],
  count: number,
  seconds: number,
  round: number,
): Promise<number[]> {
  const budget = seconds * 1e9;
  const tallies: Tally[] = verifiers.map(() => ({ done: 0, ns: 0, next: 0 }));
  while (tallies.some((tally) => tally.ns < budget)) {
    for (let turn = 0; turn < verifiers.length; turn += 1) {
      const index = (turn + round) % verifiers.length;
      const tally = tallies[index];
      if (tally.ns < budget)
        await runSlice(verifiers[index], count, Math.min(SLICE_NS, budget - tally.ns), tally);
    }
  }
  return tallies.map((tally) => tally.done / (tally.ns / 1e9));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function signedNotifications(
  count: number,
  sign: (fields: Parameters<typeof signSnsMessage>[0]) => SignedSnsMessage,
): SignedSnsMessage[] {
  const messages: SignedSnsMessage[] = [];
  for (let index = 0; index < count; index += 1) {
    const eventId = randomUUID();
    messages.push(
      sign({
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: TOPIC_ARN,
        // A thin marketplace event, the size the connector really receives.
        Message: JSON.stringify({
          event_id: eventId,
          event_name: 'OfferMatched',
          event_source: 'alayamarket.offers',
          timestamp: new Date().toISOString(),
          offer_id: `offer-${index}`,
        }),
        Timestamp: new Date().toISOString(),
        // Half the messages carry a Subject, which changes the string to sign.
        ...(index % 2 === 0 ? { Subject: 'OfferMatched' } : {}),
        UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC_ARN}:sub-1`,
      }),
    );
  }
  return messages;
}

const format = (value: number): string => Math.round(value).toLocaleString('en-US');

export async function run(args: readonly string[]): Promise<void> {
  const options = parseOptions(args);
  const identity = await createSnsSigningIdentity();
  const messages = Object.fromEntries(
    VERSIONS.map((version) => [
      version,
      signedNotifications(options.messages, (fields) =>
        signSnsMessage(fields, identity, version, CERT_URL),
      ),
    ]),
  ) as Record<Version, SignedSnsMessage[]>;

  const local = serveCertificateLocally(identity.certPem);
  const ourFetches: string[] = [];
  // A function, not an inline test: the compiler would take the lengths as fixed after the first.
  const warm = (): boolean => ourFetches.length === 1 && local.fetches.length === 2;
  try {
    const contenders = [
      ours(identity.certPem, ourFetches),
      snsValidator(),
      snsPayloadValidator(),
      rawVerify(identity.certPem),
      rawVerifyBuilding(identity.certPem),
    ];

    // Each contender must accept a genuine message and refuse a tampered one before it is timed;
    // this also warms every certificate cache.
    for (const version of VERSIONS) {
      const good = messages[version][0];
      const tampered = { ...good, Message: good.Message.replace('OfferMatched', 'OfferClosed') };
      for (const contender of contenders) {
        const verdicts = await verifyAll(contender.prepare([good, tampered]), 2);
        if (!verdicts[0] || verdicts[1]) {
          throw new BenchmarkError(
            `${contender.name} (v${version}) does not tell genuine from tampered: ${verdicts.join(', ')}`,
          );
        }
      }
    }

    const prepared = new Map<Version, VerifyAt[]>();
    for (const version of VERSIONS) {
      const verifiers: VerifyAt[] = [];
      for (const contender of contenders) {
        const verify = contender.prepare(messages[version]);
        const verdicts = await verifyAll(verify, options.messages);
        if (verdicts.some((valid) => !valid))
          throw new BenchmarkError(`${contender.name} (v${version}) refused a genuine message`);
        verifiers.push(verify);
      }
      prepared.set(version, verifiers);
      await measureRound(verifiers, options.messages, Math.min(0.3, options.seconds), 0); // JIT warm-up
    }
    if (!warm()) {
      throw new BenchmarkError(
        `caches are not warm: ${ourFetches.length} + ${local.fetches.length} certificate fetches`,
      );
    }

    console.log(
      `SNS signature verification, warm caches: ${options.messages} signed Notifications per SignatureVersion, ` +
        `median of ${options.rounds} rounds of ${options.seconds} s per contender (in ${SLICE_NS / 1e6} ms slices, taking turns)`,
    );
    console.log(
      `Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}\n`,
    );

    const samples = new Map<string, number[]>();
    for (let round = 0; round < options.rounds; round += 1) {
      for (const version of VERSIONS) {
        const verifiers = prepared.get(version);
        if (!verifiers) throw new BenchmarkError(`not prepared: v${version}`);
        const rates = await measureRound(verifiers, options.messages, options.seconds, round);
        contenders.forEach((contender, index) => {
          const key = `${version}/${contender.name}`;
          samples.set(key, [...(samples.get(key) ?? []), rates[index]]);
        });
      }
    }
    if (!warm()) {
      throw new BenchmarkError('a certificate was fetched again while timed');
    }

    const rate = (version: Version, contender: Contender): number =>
      median(samples.get(`${version}/${contender.name}`) ?? [0]);
    const [self, peerA, peerB, raw] = contenders;
    console.log(
      `${'SigVer'.padEnd(7)}${'contender'.padEnd(30)}${'msg/s'.padStart(10)}${'us/msg'.padStart(9)}${'vs raw'.padStart(9)}${'ours is'.padStart(10)}`,
    );
    for (const version of VERSIONS) {
      for (const contender of contenders) {
        const value = rate(version, contender);
        const ratio = rate(version, self) / value;
        console.log(
          `${version.padEnd(7)}${contender.name.padEnd(30)}${format(value).padStart(10)}${(1e6 / value).toFixed(1).padStart(9)}` +
            `${(value / rate(version, raw)).toFixed(2).padStart(8)}x${contender === self ? ''.padStart(10) : `${ratio.toFixed(2).padStart(9)}x`}`,
        );
      }
    }

    const v2 = rate('2', self);
    const bestPeer = Math.max(rate('2', peerA), rate('2', peerB));
    const x = v2 / bestPeer;
    const y = v2 / rate('2', raw);
    console.log(
      `\nGoal (SignatureVersion 2): >= 6x the faster peer (${x >= 6 ? 'met' : 'NOT met'}), >= 0.85x raw (${y >= 0.85 ? 'met' : 'NOT met'})`,
    );
    console.log(
      `verify: ${Math.round(v2)} msg/s, ${x.toFixed(2)}x best peer, ${y.toFixed(2)}x raw`,
    );
  } finally {
    local.restore();
  }
}
