/**
 * Shared setup for the receiver property tests (test/unit/receiver-property-mutations.test.ts and
 * receiver-property-own-key.test.ts): the clock, fast-check seed and run count, a silent logger,
 * SNS's signing identity and an attacker's (created in beforeAll), the characters random edits
 * draw from, and the other SigningCertURLs (look-alikes, and trusted URLs serving another key).
 */
import type { KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { Logger } from '@aws-lambda-powertools/logger';
import { createSnsSigningIdentity, type SnsSigningIdentity } from '../../sandbox/sns-signing';
import { CERT_URL } from './sns-fixtures';

export const NOW = new Date();
export const SEED = 20260601;
export const NUM_RUNS = 400;

export const logger = new Logger({ serviceName: 'receiver-property', logLevel: 'SILENT' });

export interface SigningIdentities {
  /** The identity SNS signs with: its certificate is the one at CERT_URL. */
  identity: SnsSigningIdentity;
  /** A key SNS never had: an attacker's, or another certificate at a trusted URL. */
  other: SnsSigningIdentity;
}

/**
 * Registers a beforeAll that creates both signing identities; the returned identities can be
 * read from then on (in later beforeAll hooks and in tests).
 */
export function useSigningIdentities(): SigningIdentities {
  let identities: [SnsSigningIdentity, SnsSigningIdentity] | undefined;
  beforeAll(async () => {
    identities = await Promise.all([createSnsSigningIdentity(), createSnsSigningIdentity()]);
  });
  const identityAt = (index: 0 | 1): SnsSigningIdentity => {
    const ready = (): SnsSigningIdentity => {
      if (identities === undefined) throw new Error('signing identities are created in beforeAll');
      return identities[index];
    };
    return {
      get certPem(): string {
        return ready().certPem;
      },
      get privateKey(): KeyObject {
        return ready().privateKey;
      },
    };
  };
  return { identity: identityAt(0), other: identityAt(1) };
}

/** Characters with a history in parser and policy bypasses, plus any code point at all. */
export const charArb = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\ufeff',
    '\u202e',
    '\ud800',
    '\udc00',
    '\u0430',
    '\uff0e',
    '\u3002',
    '\u200b',
    '\ufffd',
    '\n',
    '\r',
    '\t',
    ' ',
    '%',
    '@',
    '\\',
    '#',
    '?',
    ':',
    '/',
    '.',
    '=',
    '+',
    '"',
    'A',
    'a',
    '0',
    '1',
    '2',
  ),
  fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  fc.string({ minLength: 1, maxLength: 1 }),
);

/** Other SigningCertURLs: look-alikes the policy refuses, and trusted SNS URLs serving another key. */
export const OTHER_CERT_URLS = [
  CERT_URL.replace('amazonaws.com/', 'amazonaws.com.evil.example/'),
  'https://sns.evil.com/SimpleNotificationService-0123456789abcdef.pem',
  'https://amazonaws.com@evil.example/x.pem',
  CERT_URL.replace('https:', 'http:'),
  CERT_URL.replace('amazonaws.com/', 'amazonaws.com:443/'),
  `${CERT_URL}?x=1`,
  `${CERT_URL}#x`,
  CERT_URL.replace('amazonaws.com/', 'amazonaws.com./'),
  CERT_URL.replace('https://', 'https://user@'),
  CERT_URL.replace('.pem', '.crt'),
  CERT_URL.replace('sns.', 'sns%2E'),
  CERT_URL.replace('amazonaws', '\u0430mazonaws'),
  // Trusted by the policy: fetched, and the fake serves a certificate SNS did not issue.
  CERT_URL.replace('0123456789abcdef', 'fedcba9876543210'),
  CERT_URL.replace('ca-central-1', 'us-east-1'),
  CERT_URL.replace('ca-central-1', 'CA-CENTRAL-1'),
];
