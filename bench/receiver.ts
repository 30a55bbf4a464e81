/**
 * SNS signature verification throughput, warm caches, one process: this project's verifier
 * (`createSnsVerifier(...).verifySignature`), the npm `sns-validator` and `sns-payload-validator`
 * packages, and raw `crypto.verify` with a pre-parsed key over pre-built bytes (the ceiling).
 * All four verify the same genuinely signed Notifications, SignatureVersion 1 and 2.
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
import https from 'node:https';
import { EventEmitter } from 'node:events';
import { cpus } from 'node:os';
import { PassThrough } from 'node:stream';
import { X509Certificate, randomUUID, verify as cryptoVerify } from 'node:crypto';
import MessageValidator from 'sns-validator';
import SnsPayloadValidator from 'sns-payload-validator';
import {
  SnsRejectedError,
  createSnsVerifier,
  parseSnsEnvelope,
  snsStringToSign,
  type SnsEnvelope,
} from '../lambdas/adapters/sns-verifier';
import type { HttpGet } from '../lambdas/core/ports';
import {
  createSnsSigningIdentity,
  signSnsMessage,
  type SignedSnsMessage,
} from '../sandbox/sns-signing';

export const description =
  'SNS signature verification msg/s: this verifier vs sns-validator, sns-payload-validator, raw crypto.verify';

const CERT_URL =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:inbox-offers';
const VERSIONS = ['1', '2'] as const;
type Version = (typeof VERSIONS)[number];

class BenchmarkError extends Error {
  override readonly name = 'BenchmarkError';
}

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
// Local stand-in for https.get, used by both npm packages

interface LocalHttps {
  /** Certificate downloads the packages asked for, by URL. */
  fetches: string[];
  restore(): void;
}

/**
 * Replaces `https.get` and `https.request` on the shared module object (what the packages'
 * `require('https')` returns): `get` serves `pem` for `CERT_URL` and fails every other URL;
 * `request` always throws, so nothing here can reach the network.
 */
function serveCertificateLocally(pem: string): LocalHttps {
  const mutable = https as unknown as { get: unknown; request: unknown };
  const original = { get: mutable.get, request: mutable.request };
  const fetches: string[] = [];
  mutable.get = (url: unknown, ...rest: unknown[]): EventEmitter => {
    const request = new EventEmitter();
    const onResponse = rest.find(
      (arg): arg is (res: PassThrough) => void => typeof arg === 'function',
    );
    const target = typeof url === 'string' ? url : String(url);
    fetches.push(target);
    process.nextTick(() => {
      if (target !== CERT_URL || !onResponse) {
        request.emit(
          'error',
          new BenchmarkError(`network disabled in the benchmark (GET ${target})`),
        );
        return;
      }
      const response = Object.assign(new PassThrough(), { statusCode: 200 });
      onResponse(response);
      response.end(pem);
    });
    return request;
  };
  mutable.request = () => {
    throw new BenchmarkError('network disabled in the benchmark');
  };
  return {
    fetches,
    restore: () => {
      mutable.get = original.get;
      mutable.request = original.request;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Contenders

type VerifyAt = (index: number) => boolean | Promise<boolean>;

interface Contender {
  name: string;
  /** Converts the messages to what this contender takes (untimed); returns a verifier by index. */
  prepare(messages: readonly SignedSnsMessage[]): VerifyAt;
}

function ours(pem: string, httpGetCalls: string[]): Contender {
  const httpGet: HttpGet = (url) => {
    httpGetCalls.push(url);
    return Promise.resolve(
      url === CERT_URL ? { status: 200, body: pem } : { status: 404, body: '' },
    );
  };
  // One verifier, as in a Lambda execution environment: its certificate cache is shared by all.
  const verifier = createSnsVerifier({ httpGet, now: () => new Date() });
  const refused = (error: unknown): boolean => {
    if (error instanceof SnsRejectedError) return false;
    throw error;
  };
  return {
    name: 'this verifier',
    prepare(messages) {
      const parsed: SnsEnvelope[] = messages.map((message) => parseSnsEnvelope({ ...message }));
      return (index) => verifier.verifySignature(parsed[index]).then(() => true, refused);
    },
  };
}

function snsValidator(): Contender {
  const validator = new MessageValidator();
  return {
    name: 'sns-validator 0.3.5',
    prepare(messages) {
      const copies = messages.map((message): Record<string, unknown> => ({ ...message }));
      return (index) =>
        new Promise<boolean>((resolve) => {
          validator.validate(copies[index], (error) => {
            resolve(error === null);
          });
        });
    },
  };
}

function snsPayloadValidator(): Contender {
  const validator = new SnsPayloadValidator();
  return {
    name: 'sns-payload-validator 2.1.0',
    prepare(messages) {
      const copies = messages.map((message) => ({ ...message }));
      return (index) =>
        validator.validate(copies[index]).then(
          () => true,
          () => false,
        );
    },
  };
}

function rawVerify(pem: string): Contender {
  const key = new X509Certificate(pem).publicKey;
  return {
    name: 'raw crypto.verify',
    prepare(messages) {
      const algorithms = messages.map((message) =>
        message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256',
      );
      const data = messages.map((message) => Buffer.from(snsStringToSign(message), 'utf8'));
      const signatures = messages.map((message) => Buffer.from(message.Signature, 'base64'));
      return (index) => cryptoVerify(algorithms[index], data[index], key, signatures[index]);
    },
  };
}

/**
 * Raw `crypto.verify` that builds its input per message, as any verifier must: the string to sign
 * as UTF-8 and the signature decoded from base64. Not a goal; it shows how much of the gap to raw
 * is that building and how much the verifier's own checks.
 */
function rawVerifyBuilding(pem: string): Contender {
  const key = new X509Certificate(pem).publicKey;
  return {
    name: 'raw, building its input',
    prepare(messages) {
      const copies = messages.map((message) => ({ ...message }));
      return (index) => {
        const message = copies[index];
        return cryptoVerify(
          message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256',
          Buffer.from(snsStringToSign(message), 'utf8'),
          key,
          Buffer.from(message.Signature, 'base64'),
        );
      };
    },
  };
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
