/**
 * The outage drills of role supply (`--scenario outage` and `--scenario bad-password`): what a
 * drill changes in the sandbox's wiring, how it plays the fixed scenario's offers, and how it
 * judges what the run's boundaries counted. run-sandbox.ts builds the connector with the drill's
 * changes and hands it the run (`DrillRun`); each drill lives in its own module.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type {
  CredentialsProvider,
  EventQueue,
  MarketplaceCredentials,
} from '../lambdas/core/ports';
import type { WorkerTiming } from '../lambdas/worker/timing';
import type { ReconcilerLoopStats } from './contention';
import type { ProxyHandler } from './local-api';
import type { OutcomeReport } from './outcomes';
import type { SandboxQueues } from './sandbox-queues';
import type { ScenarioStep } from './scenario';
import type { WireInboxOfferDetail } from './simulator/model';
import type { MarketplaceSimulator } from './simulator/simulator';

export const SUPPLY_DRILLS = ['outage', 'bad-password'] as const;
export type SupplyDrillName = (typeof SUPPLY_DRILLS)[number];

export const isSupplyDrill = (name: string | undefined): name is SupplyDrillName =>
  (SUPPLY_DRILLS as readonly (string | undefined)[]).includes(name);

/** What a drill's play gets from the sandbox run. */
export interface DrillRun {
  simulator: MarketplaceSimulator;
  /** Publishes one scenario step (offers matched to the connector) and adds it to `published`. */
  publish(step: ScenarioStep): void;
  readonly published: readonly WireInboxOfferDetail[];
  sqs: SQSClient;
  queues: SandboxQueues;
  print(line: string): void;
  /** The ids of these offers with no settled decision yet (prints each decision as it settles). */
  undecided(offers: readonly WireInboxOfferDetail[]): Promise<string[]>;
  /** Waits until every published offer is decided and the queue is drained, or the time limit. */
  waitForDecisions(): Promise<void>;
  signal?: AbortSignal;
}

/** What the drill measured, as `sandbox: note:` lines, and what failed it. */
export interface DrillVerdict {
  notes: string[];
  problems: string[];
}

export interface SupplyDrill {
  readonly name: SupplyDrillName;
  /** Put in front of the receiver's handler (the outage). */
  receiver?: (handler: ProxyHandler) => ProxyHandler;
  /** What the worker runs with in this drill, instead of the sandbox's defaults. */
  worker?: {
    credentials?: CredentialsProvider;
    timing?: WorkerTiming;
    metrics?: Metrics;
    /** The failures the drill causes are expected: keep the worker's log to CRITICAL unless --verbose. */
    quiet?: boolean;
  };
  /** The reconciler beside SNS, on a short schedule; `queue` wraps the queue it sends to. */
  reconciler?: {
    intervalMs: number;
    minMatchAgeMs: number;
    queue: (queue: EventQueue) => EventQueue;
  };
  /** Publishes the scenario in the drill's phases and waits until every offer is decided. */
  play(run: DrillRun): Promise<void>;
  /** Judges the run from the counts of the boundaries that saw it and the final outcomes. */
  verdict(input: {
    simulator: MarketplaceSimulator;
    report: OutcomeReport;
    published: readonly WireInboxOfferDetail[];
    reconciler?: ReconcilerLoopStats;
  }): DrillVerdict;
  stop(): Promise<void>;
}

/** Everything a drill may need to set itself up before the connector is built. */
export interface DrillSetup {
  /** The connector's right marketplace login. */
  credentials: MarketplaceCredentials;
}

/** Percent, rounded, for the notes. */
export const percent = (part: number, whole: number) =>
  whole === 0 ? 0 : Math.round((100 * part) / whole);
