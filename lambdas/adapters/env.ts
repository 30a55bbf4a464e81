/**
 * Environment variables are read once, at cold start, through this helper, so a missing one
 * fails the first invocation with a message that names it instead of misbehaving later.
 */
export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
}

/** Returns the value of each named variable, throwing once for all that are missing or empty. */
export function requireEnv<const K extends string>(names: readonly K[], env: NodeJS.ProcessEnv = process.env): Record<K, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new MissingEnvironmentError(`Missing environment variable(s): ${missing.join(', ')}`);
  }
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}
