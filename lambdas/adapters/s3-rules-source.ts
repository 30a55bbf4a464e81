import type { RulesSource } from '../core/ports';
import { cachedRules, type CachedRulesOptions, type RulesFetch } from '../core/rules-cache';
import { MAX_RULES_BYTES, readRulesDocument } from '../core/rules-document';
import { rulesVersionOf } from '../core/rules-source';
import type { RulesObjectReader } from './s3-object-reader';

/**
 * The worker's rules from an S3 object (versioned bucket, see lib/rules-store.ts): a conditional
 * GetObject (s3-object-reader.ts), so an unchanged object costs a 304 and no transfer, then the
 * same parsing as at synth. Caching and the last-good logic are core/rules-cache.ts.
 */

export interface RulesObjectLocation {
  bucket: string;
  key: string;
}

/** One read of the rules object, as core/rules-cache.ts expects it. */
export function s3RulesFetch(reader: RulesObjectReader, location: RulesObjectLocation): RulesFetch {
  return async (knownTag) => {
    const answer = await reader.get({
      ...location,
      ...(knownTag !== undefined ? { ifNoneMatch: knownTag } : {}),
    });
    if (answer.kind === 'not-modified') return { kind: 'unchanged' };
    const storeVersion = answer.versionId === undefined ? {} : { storeVersion: answer.versionId };
    if (answer.contentLength !== undefined && answer.contentLength > MAX_RULES_BYTES) {
      // Not read: an oversized object is refused before it reaches memory.
      return {
        kind: 'invalid',
        problem: `Invalid rules: the object is ${answer.contentLength} bytes, over ${MAX_RULES_BYTES}`,
        ...storeVersion,
      };
    }
    const read = readRulesDocument(await answer.text());
    if (!read.ok) return { kind: 'invalid', problem: read.problem, ...storeVersion };
    return {
      kind: 'valid',
      snapshot: { rules: read.rules, version: rulesVersionOf(read.rules) },
      ...(answer.etag !== undefined ? { tag: answer.etag } : {}),
      ...storeVersion,
    };
  };
}

/** The worker's RulesSource: the rules object read through the cache (at most once a minute by default). */
export function s3RulesSource(
  reader: RulesObjectReader,
  location: RulesObjectLocation,
  options: Omit<CachedRulesOptions, 'fetch'> = {},
): RulesSource {
  return cachedRules({ ...options, fetch: s3RulesFetch(reader, location) });
}
