import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { RulesSource } from '../core/ports';
import { cachedRules, type CachedRulesOptions, type RulesFetch } from '../core/rules-cache';
import { MAX_RULES_BYTES, readRulesDocument } from '../core/rules-document';
import { rulesVersionOf } from '../core/rules-source';

/**
 * The worker's rules from an S3 object (versioned bucket, see lib/rules-store.ts): a conditional
 * GetObject, so an unchanged object costs a 304 and no transfer, then the same parsing as at
 * synth. Caching and the last-good logic are core/rules-cache.ts.
 */

/** The parts of a GetObject answer this adapter reads. */
export interface RulesObjectOutput {
  Body?:
    { transformToString(encoding?: string): Promise<string>; destroy?: () => void } | undefined;
  ETag?: string | undefined;
  VersionId?: string | undefined;
  ContentLength?: number | undefined;
}

/** The one S3 call the worker makes (S3Client satisfies it; tests pass a plain object). */
export interface RulesObjectReader {
  send(command: GetObjectCommand): Promise<RulesObjectOutput>;
}

export interface RulesObjectLocation {
  bucket: string;
  key: string;
}

/** S3 answers a matching If-None-Match with 304, which the SDK raises as an error (named "304" or "NotModified"). */
function isNotModified(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return metadata?.httpStatusCode === 304;
}

/** One read of the rules object, as core/rules-cache.ts expects it. */
export function s3RulesFetch(client: RulesObjectReader, location: RulesObjectLocation): RulesFetch {
  return async (knownTag) => {
    let output: RulesObjectOutput;
    try {
      output = await client.send(
        new GetObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          ...(knownTag !== undefined ? { IfNoneMatch: knownTag } : {}),
        }),
      );
    } catch (error: unknown) {
      if (isNotModified(error)) return { kind: 'unchanged' };
      throw error;
    }
    const storeVersion = output.VersionId === undefined ? {} : { storeVersion: output.VersionId };
    if (output.ContentLength !== undefined && output.ContentLength > MAX_RULES_BYTES) {
      // Not read: an oversized object is refused before it reaches memory (and the socket freed).
      output.Body?.destroy?.();
      return {
        kind: 'invalid',
        problem: `Invalid rules: the object is ${output.ContentLength} bytes, over ${MAX_RULES_BYTES}`,
        ...storeVersion,
      };
    }
    const text = output.Body === undefined ? '' : await output.Body.transformToString('utf-8');
    const read = readRulesDocument(text);
    if (!read.ok) return { kind: 'invalid', problem: read.problem, ...storeVersion };
    return {
      kind: 'valid',
      snapshot: { rules: read.rules, version: rulesVersionOf(read.rules) },
      ...(output.ETag !== undefined ? { tag: output.ETag } : {}),
      ...storeVersion,
    };
  };
}

/** The worker's RulesSource: the rules object read through the cache (at most once a minute by default). */
export function s3RulesSource(
  client: RulesObjectReader,
  location: RulesObjectLocation,
  options: Omit<CachedRulesOptions, 'fetch'> = {},
): RulesSource {
  return cachedRules({ ...options, fetch: s3RulesFetch(client, location) });
}
