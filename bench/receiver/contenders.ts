/**
 * The contenders of the SNS verification benchmark (bench/receiver.ts), each verifying signed
 * Notifications by index, and the in-memory stand-in for `https.get` that serves the one
 * certificate the two npm packages download (nothing here reaches the network).
 */
import https from 'node:https';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { X509Certificate, verify as cryptoVerify } from 'node:crypto';
import MessageValidator from 'sns-validator';
import SnsPayloadValidator from 'sns-payload-validator';
import {
  SnsRejectedError,
  createSnsVerifier,
  parseSnsEnvelope,
  snsStringToSign,
  type SnsEnvelope,
} from '../../lambdas/adapters/sns-verifier';
import type { HttpGet } from '../../lambdas/core/ports';
import type { SignedSnsMessage } from '../../sandbox/sns-signing';
import { BenchmarkError } from '../load/stats';

/** The certificate URL the messages name: the shape `sns-payload-validator` accepts. */
export const CERT_URL =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

// ---------------------------------------------------------------------------------------------
// Local stand-in for https.get, used by both npm packages

export interface LocalHttps {
  /** Certificate downloads the packages asked for, by URL. */
  fetches: string[];
  restore(): void;
}

/**
 * Replaces `https.get` and `https.request` on the shared module object (what the packages'
 * `require('https')` returns): `get` serves `pem` for `CERT_URL` and fails every other URL;
 * `request` always throws, so nothing here can reach the network.
 */
export function serveCertificateLocally(pem: string): LocalHttps {
  const mutable = https as unknown as { get: unknown; request: unknown };
  const original = { get: mutable.get, request: mutable.request };
  const fetches: string[] = [];
  mutable.get = (url: unknown, ...rest: unknown[]): EventEmitter => {
    const request = new EventEmitter();
    const onResponse = rest.find(
      (arg): arg is (res: PassThrough) => void => typeof arg === 'function',
    );
    const target = typeof url === 'string' ? url : String(url);
    fetches.push(target);
    process.nextTick(() => {
      if (target !== CERT_URL || !onResponse) {
        request.emit(
          'error',
          new BenchmarkError(`network disabled in the benchmark (GET ${target})`),
        );
        return;
      }
      const response = Object.assign(new PassThrough(), { statusCode: 200 });
      onResponse(response);
      response.end(pem);
    });
    return request;
  };
  mutable.request = () => {
    throw new BenchmarkError('network disabled in the benchmark');
  };
  return {
    fetches,
    restore: () => {
      mutable.get = original.get;
      mutable.request = original.request;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Contenders

export type VerifyAt = (index: number) => boolean | Promise<boolean>;

export interface Contender {
  name: string;
  /** Converts the messages to what this contender takes (untimed); returns a verifier by index. */
  prepare(messages: readonly SignedSnsMessage[]): VerifyAt;
}

export function ours(pem: string, httpGetCalls: string[]): Contender {
  const httpGet: HttpGet = (url) => {
    httpGetCalls.push(url);
    return Promise.resolve(
      url === CERT_URL ? { status: 200, body: pem } : { status: 404, body: '' },
    );
  };
  // One verifier, as in a Lambda execution environment: its certificate cache is shared by all.
  const verifier = createSnsVerifier({ httpGet, now: () => new Date() });
  const refused = (error: unknown): boolean => {
    if (error instanceof SnsRejectedError) return false;
    throw error;
  };
  return {
    name: 'this verifier',
    prepare(messages) {
      const parsed: SnsEnvelope[] = messages.map((message) => parseSnsEnvelope({ ...message }));
      return (index) => verifier.verifySignature(parsed[index]).then(() => true, refused);
    },
  };
}

export function snsValidator(): Contender {
  const validator = new MessageValidator();
  return {
    name: 'sns-validator 0.3.5',
    prepare(messages) {
      const copies = messages.map((message): Record<string, unknown> => ({ ...message }));
      return (index) =>
        new Promise<boolean>((resolve) => {
          validator.validate(copies[index], (error) => {
            resolve(error === null);
          });
        });
    },
  };
}

export function snsPayloadValidator(): Contender {
  const validator = new SnsPayloadValidator();
  return {
    name: 'sns-payload-validator 2.1.0',
    prepare(messages) {
      const copies = messages.map((message) => ({ ...message }));
      return (index) =>
        validator.validate(copies[index]).then(
          () => true,
          () => false,
        );
    },
  };
}

export function rawVerify(pem: string): Contender {
  const key = new X509Certificate(pem).publicKey;
  return {
    name: 'raw crypto.verify',
    prepare(messages) {
      const algorithms = messages.map((message) =>
        message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256',
      );
      const data = messages.map((message) => Buffer.from(snsStringToSign(message), 'utf8'));
      const signatures = messages.map((message) => Buffer.from(message.Signature, 'base64'));
      return (index) => cryptoVerify(algorithms[index], data[index], key, signatures[index]);
    },
  };
}

/**
 * Raw `crypto.verify` that builds its input per message, as any verifier must: the string to sign
 * as UTF-8 and the signature decoded from base64. Not a goal; it shows how much of the gap to raw
 * is that building and how much the verifier's own checks.
 */
export function rawVerifyBuilding(pem: string): Contender {
  const key = new X509Certificate(pem).publicKey;
  return {
    name: 'raw, building its input',
    prepare(messages) {
      const copies = messages.map((message) => ({ ...message }));
      return (index) => {
        const message = copies[index];
        return cryptoVerify(
          message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256',
          Buffer.from(snsStringToSign(message), 'utf8'),
          key,
          Buffer.from(message.Signature, 'base64'),
        );
      };
    },
  };
}
