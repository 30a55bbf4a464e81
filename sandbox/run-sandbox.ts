/**
 * The sandbox's composition root: the real receiver and worker, wired as in AWS but on local
 * stand-ins (dynalite, fauxqs, the marketplace simulator, a local API Gateway and SQS poller).
 * `runSandbox({ mode: 'once' })` plays the fixed scenario to the end and returns what happened to
 * every offer; `mode: 'stream'` publishes offers until its signal aborts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DecisionAction, parseConnectorConfig, parseRules, type Rules } from '../lambdas/core/config';
import type { MatchResponse, OfferRecord, OfferStore, RecordedDecision } from '../lambdas/core/ports';
import { DynamoOfferStore } from '../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../lambdas/adapters/dynamo-unit-store';
import { MarketplaceClient } from '../lambdas/adapters/marketplace-client';
import { createOfferTable } from '../lambdas/adapters/offer-table';
import { SqsEventQueue } from '../lambdas/adapters/sqs-event-queue';
import { createReceiver } from '../lambdas/receiver/receiver';
import { createWorker } from '../lambdas/worker/worker';
import { EMULATOR_AWS, startDynalite, startFauxqs } from './emulators';
import { errorMessage } from './http-util';
import { startLocalApi } from './local-api';
import { onceScenario, type ScenarioStep, streamScenario } from './scenario';
import { type MarketplaceSimulator, type SignatureVersion, type SimulatorCall, startSimulator } from './simulator/simulator';
import type { WireInboxOfferDetail } from './simulator/model';
import { createSnsRoutingHttpGet } from './sns-routing-http-get';
import { startSqsPoller } from './sqs-poller';

export const DEFAULT_CONFIG_PATH = path.join(__dirname, '..', 'config', 'connector.example.json');

export interface SandboxOptions {
  mode: 'once' | 'stream';
  /** Where the story goes, one line at a time (default: stdout). */
  print?: (line: string) => void;
  /** Powertools log level INFO instead of WARN, and a line per published offer. */
  verbose?: boolean;
  /** Stream mode runs until this aborts; once mode stops waiting when it aborts. */
  signal?: AbortSignal;
  /** Seed of the stream mode's offer mix (default 1). */
  seed?: number;
  /** Stream mode: pause between offers (default 1500 ms). */
  intervalMs?: number;
  /** Once mode: longest wait for every offer to be decided (default 60 s). */
  timeoutMs?: number;
  signatureVersion?: SignatureVersion;
  /** Default: the rules of config/connector.example.json. */
  rules?: Rules;
}

/** What the sandbox saw happen to one offer. */
export interface OfferOutcome {
  offerId: string;
  shiftId?: string;
  label: string;
  /** The applied decision: the offer's own, or its shift partner's when one call answered both. */
  action?: DecisionAction;
  rule?: string;
  decidedBy: 'own' | 'shift' | 'none';
  /** How many times an `applied` decision was written for the offer (exactly once is right). */
  appliedWrites: number;
  /** The simulator's match response at the end. */
  marketplaceResponse: MatchResponse | undefined;
  /** Accept/decline requests the simulator received for this offer. */
  calls: number;
}

export interface SandboxResult {
  offers: OfferOutcome[];
  total: number;
  accepted: number;
  declined: number;
  review: number;
  lost: number;
  simulatorCalls: SimulatorCall[];
  /** Messages left in the dead-letter queue; undefined when SQS no longer answered at the end. */
  deadLettered: number | undefined;
  /** Disagreements between the store and the simulator, in words; empty when all agree. */
  problems: string[];
  ok: boolean;
  /** `sandbox: <N> offers, <A> accepted, <D> declined, <R> review, <L> lost` */
  summary: string;
}

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}

/** Reads the rules from a connector config file (the example config by default). */
export function loadRules(configPath: string = DEFAULT_CONFIG_PATH): Rules {
  const text = readFileSync(configPath, 'utf8');
  const raw: unknown = JSON.parse(text);
  // A file with `marketplace` is a whole connector config; otherwise just the rules object.
  if (typeof raw === 'object' && raw !== null && 'marketplace' in raw) return parseConnectorConfig(raw, configPath).rules;
  return parseRules(text);
}

const TABLE_NAME = 'sandbox-offers';
const short = (id: string) => id.slice(0, 8);
const describeOffer = (d: WireInboxOfferDetail) => `${d.offer.care_type}/${d.offer.offer_type} ${d.client.address.city}`;

/** Wraps the store so each applied decision is printed and counted as it is written. */
function observedStore(
  inner: OfferStore,
  events: { applied(offerId: string, decision: RecordedDecision): void; shiftAnswered(offerId: string, record: OfferRecord): void },
): OfferStore {
  return {
    claimEvent: (eventId, now, leaseMs) => inner.claimEvent(eventId, now, leaseMs),
    completeEvent: (eventId, now, outcome) => inner.completeEvent(eventId, now, outcome),
    releaseEvent: (eventId) => inner.releaseEvent(eventId),
    getOffer: (offerId) => inner.getOffer(offerId),
    recordReconcilerEnqueue: (offerId, at) => inner.recordReconcilerEnqueue(offerId, at),
    async recordOfferFacts(record) {
      await inner.recordOfferFacts(record);
      // A shift partner's offer: answered by the call made for the other offer of its shift.
      if (record.shiftId && (record.matchResponse === 'accepted' || record.matchResponse === 'declined')) {
        const stored = await inner.getOffer(record.offerId);
        if (stored && stored.decision?.state !== 'applied') events.shiftAnswered(record.offerId, stored);
      }
    },
    async recordDecision(offerId, decision) {
      await inner.recordDecision(offerId, decision);
      if (decision.state === 'applied') events.applied(offerId, decision);
    },
  };
}

/** Runs the sandbox; resolves when the scenario is over (once) or the signal aborts (stream). */
export async function runSandbox(options: SandboxOptions): Promise<SandboxResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const rules = options.rules ?? loadRules();
  const logLevel = options.verbose ? 'INFO' : 'WARN';
  // Stopped in reverse order. Each step gets a time limit: after a Ctrl-C in a terminal, fauxqs
  // (same process group) has already died of the signal and its stop() would wait for an exit
  // event that has come and gone.
  const cleanups: Array<{ name: string; stop: () => Promise<void> }> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) {
      try {
        const finished = await finishesWithin(step.stop(), 3000);
        if (!finished && options.verbose) print(`sandbox: ${step.name} did not stop within 3 s; going on`);
      } catch (error: unknown) {
        print(`sandbox: stopping ${step.name} failed: ${errorMessage(error)}`);
      }
    }
  };

  try {
    // --- AWS stand-ins -------------------------------------------------------------------------
    const dynalite = await startDynalite();
    cleanups.push({ name: 'dynalite', stop: () => dynalite.stop() });
    const dynamo = new DynamoDBClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
    cleanups.push({ name: 'DynamoDB client', stop: async () => dynamo.destroy() });
    await createOfferTable(dynamo, TABLE_NAME);

    const fauxqs = await startFauxqs();
    cleanups.push({ name: 'fauxqs', stop: () => fauxqs.stop() });
    const sqs = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
    cleanups.push({ name: 'SQS client', stop: async () => sqs.destroy() });
    const queues = await createQueues(sqs);

    // --- the marketplace ------------------------------------------------------------------------
    const simulator = await startSimulator({
      signatureVersion: options.signatureVersion ?? '2',
      ...(options.verbose ? { onCall: (call: SimulatorCall) => print(`marketplace: ${call.action} ${short(call.offerId)} -> ${call.status}`) } : {}),
    });
    cleanups.push({ name: 'simulator', stop: () => simulator.stop() });

    // --- the connector: the real receiver and worker --------------------------------------------
    const receiver = createReceiver({
      allowedTopicArns: [simulator.inboxOffersTopicArn],
      queue: new SqsEventQueue(sqs, queues.url),
      httpGet: createSnsRoutingHttpGet({ localUrl: simulator.snsLocalUrl, regions: [simulator.region] }),
      logger: new Logger({ serviceName: 'receiver', logLevel }),
    });
    const api = await startLocalApi({
      handler: receiver,
      onHandlerError: (error) => print(`api: receiver threw: ${errorMessage(error)}`),
    });
    cleanups.push({ name: 'local API', stop: () => api.close() });

    const appliedWrites = new Map<string, number>();
    const announcedShift = new Set<string>();
    const describe = (offerId: string) => {
      const detail = simulator.getOffer(offerId);
      return detail ? describeOffer(detail) : 'unknown offer';
    };
    const store = observedStore(new DynamoOfferStore(DynamoDBDocumentClient.from(dynamo), TABLE_NAME), {
      applied(offerId, decision) {
        appliedWrites.set(offerId, (appliedWrites.get(offerId) ?? 0) + 1);
        print(`decided ${short(offerId)} ${describe(offerId)} -> ${decision.action} (rule: ${decision.rule})`);
      },
      shiftAnswered(offerId, record) {
        if (announcedShift.has(offerId)) return;
        announcedShift.add(offerId);
        print(`decided ${short(offerId)} ${describe(offerId)} -> ${record.matchResponse === 'accepted' ? 'accept' : 'decline'} (with its shift)`);
      },
    });
    const worker = createWorker({
      marketplace: new MarketplaceClient({ baseUrl: simulator.url, credentials: async () => simulator.credentials }),
      store,
      units: new DynamoUnitStore(DynamoDBDocumentClient.from(dynamo), TABLE_NAME),
      rules,
      role: 'supply',
      logger: new Logger({ serviceName: 'worker', logLevel }),
    });
    const poller = startSqsPoller({
      client: sqs,
      queueUrl: queues.url,
      queueArn: queues.arn,
      region: EMULATOR_AWS.region,
      handler: worker,
      onError: (error) => {
        if (!options.signal?.aborted) print(`poller: ${errorMessage(error)}`);
      },
    });
    // Stopped before the servers it talks to (cleanups run in reverse).
    cleanups.push({ name: 'SQS poller', stop: () => poller.stop() });

    print(`sandbox: services up (marketplace ${simulator.url}, receiver ${api.endpoint}, DynamoDB ${dynalite.endpoint}, SQS ${fauxqs.endpoint})`);
    if (options.verbose) print(`sandbox: marketplace login ${simulator.credentials.username} (password generated for this run)`);

    await simulator.subscribe(simulator.inboxOffersTopicArn, api.endpoint);
    print(`sandbox: subscription to ${simulator.inboxOffersTopicArn} confirmed by the receiver`);

    const published: WireInboxOfferDetail[] = [];
    const publish = (step: ScenarioStep) => {
      const created = step.kind === 'shift' ? simulator.addShift(step.offers) : [simulator.addOffer(step.offer, step.copies ? { copies: step.copies } : {})];
      published.push(...created);
      if (options.verbose) {
        for (const d of created) print(`offer   ${short(d.offer.id)} ${describeOffer(d)}${d.offer.shift_id ? ` (shift ${short(d.offer.shift_id)})` : ''}${step.kind === 'offer' && step.copies ? ` (delivered ${step.copies} times)` : ''}`);
      }
    };

    if (options.mode === 'once') {
      const steps = onceScenario();
      for (const step of steps) publish(step);
      print(`sandbox: ${published.length} offers published; waiting for every decision`);
      // Settled: every offer decided and nothing left in flight (the duplicate delivery included).
      const settled = await waitUntil(
        async () => (await unsettled(store, published)).length === 0 && (await queueDrained(sqs, queues.url)),
        options.timeoutMs ?? 60000,
        options.signal,
      );
      if (!settled) print('sandbox: time limit reached before every offer was decided');
      await simulator.idle();
    } else {
      print('sandbox: streaming offers; Ctrl-C to stop');
      const stream = streamScenario(options.seed ?? 1);
      while (!options.signal?.aborted) {
        publish(stream.next().value as ScenarioStep);
        await sleep(options.intervalMs ?? 1500, options.signal);
      }
      // Ctrl-C in a terminal also reaches fauxqs (same process group): once SQS is gone, the
      // offers in flight cannot finish, so wait for them only while it still answers.
      print('sandbox: stopping; letting the offers in flight finish (5 s at most)');
      await waitUntil(async () => (await unsettled(store, published)).length === 0 || (await queueDepthOrUndefined(sqs, queues.url)) === undefined, 5000);
    }

    await poller.stop();
    const deadLettered = options.mode === 'once' ? await queueDepth(sqs, queues.dlqUrl) : await queueDepthOrUndefined(sqs, queues.dlqUrl);
    return await collectResult(store, simulator, published, appliedWrites, deadLettered);
  } finally {
    await cleanup();
  }
}

async function createQueues(sqs: SQSClient): Promise<{ url: string; arn: string; dlqUrl: string }> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'sandbox-events-dlq', Attributes: { MessageRetentionPeriod: '1209600' } }));
  const dlqArn = await queueArn(sqs, dlq.QueueUrl);
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'sandbox-events',
      Attributes: {
        // Short, so a failed record comes back within seconds in the sandbox (AWS: the stack's value).
        VisibilityTimeout: '3',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
      },
    }),
  );
  if (!main.QueueUrl || !dlq.QueueUrl) throw new SandboxError('SQS returned no queue URL');
  return { url: main.QueueUrl, arn: await queueArn(sqs, main.QueueUrl), dlqUrl: dlq.QueueUrl };
}

async function queueArn(sqs: SQSClient, url: string | undefined): Promise<string> {
  if (!url) throw new SandboxError('SQS returned no queue URL');
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new SandboxError(`SQS returned no ARN for ${url}`);
  return arn;
}

async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

async function queueDepthOrUndefined(sqs: SQSClient, url: string): Promise<number | undefined> {
  try {
    return await queueDepth(sqs, url);
  } catch {
    return undefined;
  }
}

const queueDrained = async (sqs: SQSClient, url: string) => (await queueDepth(sqs, url)) === 0;

/** Whether an offer of a shift was answered by its partner's applied accept/decline. */
function answeredWithShift(record: OfferRecord | undefined, partners: (OfferRecord | undefined)[]): RecordedDecision | undefined {
  if (!record || record.decision?.state === 'applied') return undefined;
  return partners
    .map((p) => p?.decision)
    .find(
      (d): d is RecordedDecision =>
        d?.state === 'applied' &&
        ((d.action === 'accept' && record.matchResponse === 'accepted') || (d.action === 'decline' && record.matchResponse === 'declined')),
    );
}

async function records(store: OfferStore, offers: readonly WireInboxOfferDetail[]): Promise<Map<string, OfferRecord | undefined>> {
  const entries = await Promise.all(offers.map(async (d) => [d.offer.id, await store.getOffer(d.offer.id)] as const));
  return new Map(entries);
}

function partnersOf(offer: WireInboxOfferDetail, offers: readonly WireInboxOfferDetail[]): string[] {
  const shiftId = offer.offer.shift_id;
  return shiftId ? offers.filter((o) => o.offer.shift_id === shiftId && o.offer.id !== offer.offer.id).map((o) => o.offer.id) : [];
}

/** Offers with neither an applied decision of their own nor one through their shift. */
async function unsettled(store: OfferStore, offers: readonly WireInboxOfferDetail[]): Promise<string[]> {
  const byId = await records(store, offers);
  return offers
    .filter((d) => {
      const record = byId.get(d.offer.id);
      if (record?.decision?.state === 'applied') return false;
      return !answeredWithShift(record, partnersOf(d, offers).map((id) => byId.get(id)));
    })
    .map((d) => d.offer.id);
}

async function collectResult(
  store: OfferStore,
  simulator: MarketplaceSimulator,
  offers: readonly WireInboxOfferDetail[],
  appliedWrites: ReadonlyMap<string, number>,
  deadLettered: number | undefined,
): Promise<SandboxResult> {
  const byId = await records(store, offers);
  const calls = simulator.calls();
  const problems: string[] = [];
  const outcomes: OfferOutcome[] = offers.map((d) => {
    const id = d.offer.id;
    const record = byId.get(id);
    const own = record?.decision?.state === 'applied' ? record.decision : undefined;
    const viaShift = own ? undefined : answeredWithShift(record, partnersOf(d, offers).map((p) => byId.get(p)));
    const decision = own ?? viaShift;
    return {
      offerId: id,
      ...(d.offer.shift_id ? { shiftId: d.offer.shift_id } : {}),
      label: describeOffer(d),
      ...(decision ? { action: decision.action, rule: decision.rule } : {}),
      decidedBy: own ? 'own' : viaShift ? 'shift' : 'none',
      appliedWrites: appliedWrites.get(id) ?? 0,
      marketplaceResponse: simulator.getOffer(id)?.match.response,
      calls: calls.filter((c) => c.offerId === id).length,
    };
  });

  const expectedResponse = { accept: 'accepted', decline: 'declined', review: 'pending' } as const;
  for (const o of outcomes) {
    if (o.appliedWrites > 1) problems.push(`offer ${short(o.offerId)}: ${o.appliedWrites} applied decisions`);
    if (o.calls > 1) problems.push(`offer ${short(o.offerId)}: ${o.calls} accept/decline calls`);
    if (o.action && o.marketplaceResponse !== expectedResponse[o.action]) {
      problems.push(`offer ${short(o.offerId)}: store says ${o.action}, marketplace says ${o.marketplaceResponse}`);
    }
  }
  const shiftIds = new Set(outcomes.flatMap((o) => (o.shiftId ? [o.shiftId] : [])));
  for (const shiftId of shiftIds) {
    const shiftCalls = outcomes.filter((o) => o.shiftId === shiftId).reduce((sum, o) => sum + o.calls, 0);
    if (shiftCalls > 1) problems.push(`shift ${short(shiftId)}: ${shiftCalls} accept/decline calls`);
  }
  const ownDecisions = (action: DecisionAction) => outcomes.filter((o) => o.decidedBy === 'own' && o.action === action).length;
  const answered = (action: 'accept' | 'decline') => calls.filter((c) => c.action === action && c.status === 204).length;
  if (answered('accept') !== ownDecisions('accept') || answered('decline') !== ownDecisions('decline')) {
    problems.push(
      `the marketplace answered ${answered('accept')} accepts and ${answered('decline')} declines; the store holds ${ownDecisions('accept')} and ${ownDecisions('decline')}`,
    );
  }
  const refused = calls.filter((c) => c.status !== 204);
  if (refused.length > 0) problems.push(`${refused.length} accept/decline call(s) refused by the marketplace`);
  // Unknown only when SQS had gone (Ctrl-C reaches fauxqs too); once mode always reaches it.
  if (deadLettered !== undefined && deadLettered > 0) problems.push(`${deadLettered} message(s) in the dead-letter queue`);

  const count = (action: DecisionAction) => outcomes.filter((o) => o.action === action).length;
  const lost = outcomes.filter((o) => o.decidedBy === 'none').length;
  const result = {
    offers: outcomes,
    total: outcomes.length,
    accepted: count('accept'),
    declined: count('decline'),
    review: count('review'),
    lost,
    simulatorCalls: calls,
    deadLettered,
    problems,
  };
  return {
    ...result,
    ok: lost === 0 && problems.length === 0,
    summary: `sandbox: ${result.total} offers, ${result.accepted} accepted, ${result.declined} declined, ${result.review} review, ${lost} lost`,
  };
}

/** Polls `done` every 250 ms until it holds, the time limit passes or the signal aborts. */
async function waitUntil(done: () => Promise<boolean>, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await done()) return true;
    await sleep(250, signal);
  }
  return done();
}

/** Whether `work` settles within `ms` (a rejection still rejects); the timer never outlives it. */
async function finishesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    }
    signal?.addEventListener('abort', finish);
  });
}
