/**
 * For the receiver's bad-input suite (test/unit/receiver-bad-input.test.ts and its case tables,
 * test/support/receiver-bad-input-*-cases.ts): the clock, the signing identities, genuinely
 * signed messages and how they are posted, the shared secret, and the shape of a refusal case.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ReceiverDeps } from '../../lambdas/receiver/receiver';
import type {
  SignedSnsMessage,
  SnsMessageFields,
  SnsSigningIdentity,
} from '../../sandbox/sns-signing';
import {
  CERT_URL,
  apiEvent,
  confirmationFields,
  deliveryHeaders,
  notificationFields,
  sign,
  type Served,
} from './sns-fixtures';

export const NOW = new Date();
export const MINUTE = 60 * 1000;

export interface Keys {
  /** Stands for SNS: its certificate is what the fake serves. */
  identity: SnsSigningIdentity;
  /** Anyone else: a self-signed certificate SNS did not issue. */
  other: SnsSigningIdentity;
  /** Valid for one day, to be used after it expires. */
  shortLived: SnsSigningIdentity;
  /** A certificate with an EC key, which SNS never uses. */
  ecCertPem: string;
}

export interface HarnessOptions {
  /** The receiver's clock; NOW unless a case moves it. */
  clock?: Date;
  /** What the fake serves; by default the genuine certificate at every URL, and 200 to any GET. */
  served?: Record<string, Served>;
  queueError?: Error;
  /** The receiver's optional policy switches (both off by default). */
  policy?: Pick<ReceiverDeps, 'requireSignatureVersion2' | 'sharedSecret'>;
}

// Request builders. Each case builds its request from the identities once they exist.

/** Extra headers go on top of those every SNS delivery carries (sns-fixtures deliveryHeaders). */
export const post = (value: unknown, headers?: Record<string, string>): APIGatewayProxyEvent => {
  const body = JSON.stringify(value);
  return apiEvent(body, headers ? { headers: { ...deliveryHeaders(body), ...headers } } : {});
};
export const postText = (body: string | null): APIGatewayProxyEvent => apiEvent(body);
export const postBase64 = (body: string): APIGatewayProxyEvent =>
  apiEvent(body, { isBase64Encoded: true });

/** A genuinely signed notification (with a Subject unless told otherwise). */
export function note(
  k: Keys,
  overrides: Partial<SnsMessageFields> = {},
  version: '1' | '2' = '2',
  certUrl = CERT_URL,
): SignedSnsMessage {
  return sign(
    notificationFields(NOW, { Subject: 'Offer matched', ...overrides }),
    k.identity,
    version,
    certUrl,
  );
}

/** A genuinely signed SubscriptionConfirmation (or UnsubscribeConfirmation). */
export function conf(
  k: Keys,
  overrides: Partial<SnsMessageFields> = {},
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation' = 'SubscriptionConfirmation',
): SignedSnsMessage {
  return sign(confirmationFields(type, NOW, overrides), k.identity);
}

/** A genuine notification whose SigningCertURL is `url`: signed with it, so only the policy refuses. */
export const certUrlCase = (url: string) => (k: Keys) => post(note(k, {}, '2', url));
/** A genuine confirmation whose SubscribeURL is `url`: signed with it, so only the policy refuses. */
export const subscribeUrlCase = (url: string) => (k: Keys) => post(conf(k, { SubscribeURL: url }));

export const NONE: readonly string[] = [];
export const CERT_ONLY: readonly string[] = [CERT_URL];

/** The shared secret's one password (32+ URL-safe characters, as the receiver requires). */
export const SHARED_PASSWORD = 'pw-0123456789abcdefghijklmnopqrstuvwxyz';
export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface RefusalCase {
  name: string;
  request: (k: Keys) => APIGatewayProxyEvent;
  status: 400 | 401 | 403 | 413 | 502 | 503;
  /** Exactly the URLs the receiver may GET for this case, in order; usually none. */
  fetched: readonly string[];
  options?: (k: Keys) => HarnessOptions;
}
