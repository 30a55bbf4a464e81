import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, parseConnectorConfig, type ConnectorConfig } from '../lambdas/core/config';
import { rulesDocument } from '../lambdas/core/rules-document';

/**
 * Reads the deployment configuration at synth time. Every failure is a ConfigError whose message
 * names the file and each bad field, so `cdk synth` can print it and stop before anything is built.
 */

/** The config used when neither `-c config=<path>` nor a local `connector.config.json` exists. */
export const EXAMPLE_CONFIG_FILE = path.join('config', 'connector.example.json');

/** The per-checkout config (git-ignored) picked up without any flag. */
export const LOCAL_CONFIG_FILE = 'connector.config.json';

export interface ConfigChoice {
  /** Absolute path of the file to load. */
  readonly file: string;
  /** True when falling back to the example, which the caller should warn about. */
  readonly isExample: boolean;
}

/**
 * Picks the config file: the `config` context value if given (relative to the working directory,
 * as a user typing `-c config=...` expects), else `connector.config.json` in the project root,
 * else the example.
 */
export function chooseConfigFile(
  contextValue: unknown,
  projectRoot: string,
  exists: (file: string) => boolean = fs.existsSync,
): ConfigChoice {
  if (contextValue !== undefined) {
    if (typeof contextValue !== 'string' || contextValue.trim() === '') {
      throw new ConfigError(
        'Context value "config" must be a file path, e.g. -c config=connector.config.json',
      );
    }
    return { file: path.resolve(contextValue), isExample: false };
  }
  const local = path.join(projectRoot, LOCAL_CONFIG_FILE);
  if (exists(local)) return { file: local, isExample: false };
  return { file: path.join(projectRoot, EXAMPLE_CONFIG_FILE), isExample: true };
}

/** Reads, parses and validates a config file; throws a ConfigError naming the file and fields. */
export function loadConnectorConfig(file: string): ConnectorConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error: unknown) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigError(`Cannot read config file ${file} (${code})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error: unknown) {
    const detail = error instanceof SyntaxError ? `: ${error.message}` : '';
    throw new ConfigError(`Config file ${file} is not valid JSON${detail}`);
  }
  return validateConnectorConfig(raw, `config file ${file}`);
}

/**
 * Validates a config object with the shared schema plus the checks that only matter for a
 * deployment (complete secret ARN, rules within the rules store's size bound).
 */
export function validateConnectorConfig(raw: unknown, source = 'config'): ConnectorConfig {
  const config = parseConnectorConfig(raw, source);
  const problems: string[] = [];
  if (
    config.credentialsSecretArn !== undefined &&
    !/-[A-Za-z0-9]{6}$/.test(config.credentialsSecretArn)
  ) {
    // A partial ARN (without the random suffix Secrets Manager appends) cannot be granted exactly
    // and is ambiguous when looked up; insist on the complete one from the console or CLI.
    problems.push(
      'credentialsSecretArn: must be the complete secret ARN, ending in the 6-character suffix Secrets Manager adds (e.g. ...:secret:alayacare-AbC123)',
    );
  }
  try {
    rulesDocument(config.rules);
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid ${source}:\n${problems.join('\n')}`);
  return config;
}
