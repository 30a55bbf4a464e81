/**
 * Shared setup for the receiver property tests (test/unit/receiver-property-mutations.test.ts and
 * receiver-property-own-key.test.ts): the clock, fast-check seed and run count, a silent logger,
 * the characters random edits draw from, and the other SigningCertURLs (look-alikes, and trusted
 * URLs serving another key). The two signing identities come from receiver-harness.ts.
 */
import fc from 'fast-check';
import { Logger } from '@aws-lambda-powertools/logger';
import { CERT_URL } from './sns-fixtures';

export const NOW = new Date();
export const SEED = 20260601;
export const NUM_RUNS = 400;

export const logger = new Logger({ serviceName: 'receiver-property', logLevel: 'SILENT' });

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
