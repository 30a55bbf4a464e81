/**
 * The no-PHI search: every place a needle (a client canary) occurs in any haystack (a run's
 * output, a captured file), case-insensitively. `canaryNeedles` adds the forms a value might take
 * once reformatted (a phone's digits alone, a UUID without its dashes) and the canary prefix
 * itself, so a truncated or rebuilt canary is found too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CANARY_PREFIX } from '../../sandbox/simulator/client-canaries';

export interface Haystack {
  name: string;
  text: string;
}

export interface Finding {
  needle: string;
  where: string;
}

/** Each (needle, haystack) where the needle occurs, case-insensitively; none: nothing found. */
export function findNeedles(haystacks: readonly Haystack[], needles: readonly string[]): Finding[] {
  if (needles.some((n) => n.trim() === '')) throw new Error('an empty needle matches everything');
  const findings: Finding[] = [];
  for (const haystack of haystacks) {
    const text = haystack.text.toLowerCase();
    for (const needle of needles)
      if (text.includes(needle.toLowerCase())) findings.push({ needle, where: haystack.name });
  }
  return findings;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PHONE = /^\+?[\d ()-]{10,}$/;

/** The values, their reformatted forms (phone digits alone, UUIDs without dashes) and the canary prefix. */
export function canaryNeedles(values: readonly string[]): string[] {
  const needles = new Set<string>([CANARY_PREFIX]);
  for (const value of values) {
    needles.add(value);
    if (UUID.test(value)) needles.add(value.replaceAll('-', ''));
    else if (PHONE.test(value)) needles.add(value.replace(/\D/g, ''));
  }
  return [...needles];
}

/** Every file under `dir` (recursively), named by its path relative to `dir`. */
export function readHaystacks(dir: string, under = ''): Haystack[] {
  return readdirSync(path.join(dir, under), { withFileTypes: true }).flatMap((entry) => {
    const name = path.join(under, entry.name);
    if (entry.isDirectory()) return readHaystacks(dir, name);
    return entry.isFile() ? [{ name, text: readFileSync(path.join(dir, name), 'utf8') }] : [];
  });
}
