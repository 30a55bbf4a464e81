import type { RulesSnapshot, RulesSource } from './ports';

/**
 * Rules read from a store that can change under the worker: a RulesSource that reads the store at
 * most once per `maxAgeMs`, shares one read between concurrent callers, and keeps the last good
 * version when the store holds an invalid one or cannot be read. Only a worker that has never
 * read a good version fails (the record is retried), since deciding by no rules is not an option.
 * The store itself is behind `fetch` (S3 in AWS, see adapters/s3-rules-source.ts).
 */

/** What one read of the store found. */
export type RulesFetchResult =
  /** The document is the one read last time (`knownTag` matched: S3 answered 304). */
  | { kind: 'unchanged' }
  /** A document that parsed and validated; `tag` identifies it for the next conditional read. */
  | { kind: 'valid'; snapshot: RulesSnapshot; tag?: string; storeVersion?: string }
  /** A document that did not validate; `problem` names field paths, never values. */
  | { kind: 'invalid'; problem: string; storeVersion?: string };

/**
 * Reads the store. `knownTag` is the tag of the last good document: the store answers
 * `unchanged` when it still holds it. Throws when the store cannot be read.
 */
export type RulesFetch = (knownTag: string | undefined) => Promise<RulesFetchResult>;

/** What the cache reports, for the worker's log lines and metrics. */
export type RulesCacheEvent =
  /** A good version was read that differs from the one in use (or is the first). */
  | { kind: 'loaded'; version: string; previousVersion?: string; storeVersion?: string }
  /** The store holds an invalid document; `keptVersion` is still in use (absent: none to keep). */
  | { kind: 'invalid'; problem: string; storeVersion?: string; keptVersion?: string }
  /** The store could not be read; `keptVersion` is still in use (absent: none to keep). */
  | { kind: 'unreadable'; error: unknown; keptVersion?: string };

export interface CachedRulesOptions {
  fetch: RulesFetch;
  /** Longest a version is used without asking the store again (default 60 s). */
  maxAgeMs?: number;
  /** Epoch milliseconds (default Date.now). */
  now?: () => number;
  report?: (event: RulesCacheEvent) => void;
}

export const DEFAULT_RULES_MAX_AGE_MS = 60_000;

/** No good rules have been read yet, so nothing can be decided: the record is retried. */
export class RulesUnavailableError extends Error {
  override readonly name = 'RulesUnavailableError';
}

export function cachedRules(options: CachedRulesOptions): RulesSource {
  const { fetch } = options;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_RULES_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  const report = options.report ?? (() => undefined);

  let good: { snapshot: RulesSnapshot; tag: string | undefined } | undefined;
  /** When the read behind `good` started (or the last read that kept it): its age is from then. */
  let checkedAt = 0;
  let inFlight: Promise<RulesSnapshot> | undefined;

  /** Keeps the last good version after a failed or invalid read; fails without one. */
  function keepOrFail(startedAt: number, reason: string, cause?: unknown): RulesSnapshot {
    if (good === undefined) {
      throw new RulesUnavailableError(
        `No valid rules have been read yet: ${reason}`,
        cause === undefined ? undefined : { cause },
      );
    }
    // Counted as a check, so a broken store is asked once per maxAgeMs, not on every decision.
    checkedAt = startedAt;
    return good.snapshot;
  }

  async function refresh(): Promise<RulesSnapshot> {
    const startedAt = now();
    let result: RulesFetchResult;
    try {
      result = await fetch(good?.tag);
    } catch (error: unknown) {
      report({ kind: 'unreadable', error, ...kept() });
      return keepOrFail(startedAt, 'the rules store could not be read', error);
    }
    switch (result.kind) {
      case 'unchanged':
        // Only a known tag can come back unchanged; without one it is the store misbehaving.
        return keepOrFail(startedAt, 'the rules store answered "unchanged" to a first read');
      case 'invalid':
        report({ kind: 'invalid', problem: result.problem, ...storeVersionOf(result), ...kept() });
        return keepOrFail(startedAt, result.problem);
      case 'valid': {
        const previousVersion = good?.snapshot.version;
        good = { snapshot: result.snapshot, tag: result.tag };
        checkedAt = startedAt;
        if (previousVersion !== result.snapshot.version) {
          report({
            kind: 'loaded',
            version: result.snapshot.version,
            ...(previousVersion !== undefined ? { previousVersion } : {}),
            ...storeVersionOf(result),
          });
        }
        return result.snapshot;
      }
    }
  }

  function kept(): { keptVersion?: string } {
    return good === undefined ? {} : { keptVersion: good.snapshot.version };
  }

  return {
    current(): Promise<RulesSnapshot> {
      if (good !== undefined && now() - checkedAt < maxAgeMs) return Promise.resolve(good.snapshot);
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

function storeVersionOf(result: { storeVersion?: string }): { storeVersion?: string } {
  return result.storeVersion === undefined ? {} : { storeVersion: result.storeVersion };
}
