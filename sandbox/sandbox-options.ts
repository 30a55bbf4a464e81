/**
 * What `runSandbox` (run-sandbox.ts) takes and gives back: its options, the results of each role,
 * the config file's rules, and the checks that refuse combinations the sandbox does not play.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConnectorConfig, parseRules, type Role, type Rules } from '../lambdas/core/config';
import type { DrillReport } from './contention';
import type { DemandReport } from './demand-outcomes';
import type { OutcomeReport } from './outcomes';
import type { RoleRunVerdict } from './roles';
import type { SignatureVersion } from './simulator/simulator';
import { isSupplyDrill, type SupplyDrillName } from './supply-drills';

export const DEFAULT_CONFIG_PATH = path.join(__dirname, '..', 'config', 'connector.example.json');

export interface SandboxOptions {
  mode: 'once' | 'stream';
  /** Once mode: the fixed scenario (default), the contention drill, or an outage drill (supply-drills.ts). */
  scenario?: 'default' | 'contention' | SupplyDrillName;
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
  /** The connector's side (default supply); demand and both are played in once mode, without the drill. */
  role?: Role;
  /** Once mode, not the drill: write what the connector wrote to this directory at the end (capture.ts). */
  captureDir?: string;
}

/** Role supply: every inbox offer's fate (the summary and checks as before roles existed). */
export interface SandboxResult extends OutcomeReport {
  /** The contention drill's conditions as measured during the run (contention only). */
  drill?: DrillReport;
}

/** Role demand: every outbox offer's fate; `summary` is the demand line. */
export interface DemandSandboxResult extends RoleRunVerdict {
  role: 'demand';
  demand: DemandReport;
}

/** Role both: each side's report; `summary` is the combined line (roles.ts, bothVerdict). */
export interface BothSandboxResult extends RoleRunVerdict {
  role: 'both';
  supply: OutcomeReport;
  demand: DemandReport;
}

export type AnySandboxResult = SandboxResult | DemandSandboxResult | BothSandboxResult;

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}

/** Reads the rules from a connector config file (the example config by default). */
export function loadRules(configPath: string = DEFAULT_CONFIG_PATH): Rules {
  const text = readFileSync(configPath, 'utf8');
  const raw: unknown = JSON.parse(text);
  // A file with `marketplace` is a whole connector config; otherwise just the rules object.
  if (typeof raw === 'object' && raw !== null && 'marketplace' in raw)
    return parseConnectorConfig(raw, configPath).rules;
  return parseRules(text);
}

/** Refuses (SandboxError) the combinations of mode, role, scenario and capture the sandbox does not play. */
export function checkOptions(options: SandboxOptions, role: Role): void {
  if (options.scenario === 'contention' && options.mode !== 'once')
    throw new SandboxError('the contention scenario is played with --once');
  if (role !== 'supply' && options.mode !== 'once')
    throw new SandboxError(`role ${role} is played with --once`);
  if (role !== 'supply' && options.scenario === 'contention')
    throw new SandboxError('the contention drill is for role supply');
  if (
    options.captureDir !== undefined &&
    (options.mode !== 'once' || options.scenario === 'contention')
  )
    throw new SandboxError('the capture is for --once runs without the contention drill');
  if (isSupplyDrill(options.scenario) && (options.mode !== 'once' || role !== 'supply'))
    throw new SandboxError(`the ${options.scenario} drill is played with --once, role supply`);
}

/** The options the demand player and waiters take as they are (absent ones left out). */
export function flags(options: SandboxOptions): { verbose?: boolean; signal?: AbortSignal } {
  return {
    ...(options.verbose ? { verbose: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
