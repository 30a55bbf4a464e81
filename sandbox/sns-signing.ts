/**
 * Signs SNS messages the way AWS SNS does, with a self-signed certificate, for the marketplace
 * simulator and the tests. The string to sign comes from the receiver's own verifier module, and
 * the verifier's unit tests pin it to hand-written vectors, so signer and verifier cannot agree on
 * a wrong format. Dev-only: never imported by anything under lambdas/.
 */
import 'reflect-metadata';
import { KeyObject, sign, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { snsStringToSign } from '../lambdas/adapters/sns-verifier';

// Node's webcrypto is the standard Web Crypto; the library's types come from the DOM lib.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type SnsMessageType =
  'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface SnsMessageFields {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
  UnsubscribeURL?: string;
}

export interface SignedSnsMessage extends SnsMessageFields {
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
}

export interface SnsSigningIdentity {
  /** PEM of the certificate to serve at the SigningCertURL. */
  certPem: string;
  privateKey: KeyObject;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * RSA modulus sizes a signing identity may have: 2048, as SNS's own certificates, by default.
 * 1024 is for the load benchmarks only: signing is the stand-in SNS's work, not the connector's,
 * and a 1024-bit signature costs about a third of a 2048-bit one (0.1 against 0.33 ms of CPU on
 * the 2-core machine measured), once per offer published. The receiver verifies either the same
 * way (it does not check the key's size, and has nothing to do with how SNS is simulated).
 */
export type SigningKeyBits = 1024 | 2048;

/**
 * Creates an RSA key pair (`keyBits`, default 2048) and a self-signed certificate valid from five
 * minutes ago for `validDays` days (default 365).
 */
export async function createSnsSigningIdentity(
  options: { commonName?: string; validDays?: number; keyBits?: SigningKeyBits } = {},
): Promise<SnsSigningIdentity> {
  const commonName = options.commonName ?? 'sns.amazonaws.com';
  const validDays = options.validDays ?? 365;
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: options.keyBits ?? 2048,
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 5 * 60 * 1000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: `CN=${commonName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + validDays * DAY_MS),
    signingAlgorithm: algorithm,
    keys,
  });
  return { certPem: cert.toString('pem'), privateKey: KeyObject.from(keys.privateKey) };
}

/**
 * Returns the message with `SignatureVersion`, `Signature` (base64) and `SigningCertURL` added:
 * version '1' signs with RSA-SHA1, '2' with RSA-SHA256, over the SNS canonical string.
 */
export function signSnsMessage(
  fields: SnsMessageFields,
  identity: SnsSigningIdentity,
  signatureVersion: '1' | '2',
  signingCertUrl: string,
): SignedSnsMessage {
  const algorithm = signatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  const signature = sign(
    algorithm,
    Buffer.from(snsStringToSign(fields), 'utf8'),
    identity.privateKey,
  );
  return {
    ...fields,
    SignatureVersion: signatureVersion,
    Signature: signature.toString('base64'),
    SigningCertURL: signingCertUrl,
  };
}
