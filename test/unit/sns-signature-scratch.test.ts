/**
 * Covers lambdas/adapters/signature-scratch.ts: its verdicts are those of `crypto.sign` over
 * freshly built Buffers, for any text (non-ASCII, lone surrogates, SNS's largest size) and any
 * signature (too long for the scratch, not base64), and nothing an earlier check left in the
 * reused scratch reaches a later one. The last part runs
 * the same sequences through one SNS verifier, as a warm Lambda would.
 */
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import {
  SIGNATURE_SCRATCH_CHARS,
  verifyTextSignature,
} from '../../lambdas/adapters/signature-scratch';
import { createSnsVerifier, parseSnsEnvelope } from '../../lambdas/adapters/sns-verifier';
import { createSnsSigningIdentity, type SnsSigningIdentity } from '../../sandbox/sns-signing';
import { CERT_URL, fakeHttpGet, notificationFields, sign } from '../support/sns-fixtures';

const SHA256 = 'RSA-SHA256';

/** The same signature base64 text without its last 4 characters: 255 of its 256 bytes. */
const withoutLastBytes = (signature: string): string => signature.slice(0, -4);

describe('verifyTextSignature', () => {
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  const signText = (text: string, algorithm = SHA256): string =>
    cryptoSign(algorithm, Buffer.from(text, 'utf8'), privateKey).toString('base64');

  beforeAll(() => {
    ({ privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  });

  it.each([
    ['empty', ''],
    ['ASCII', 'Message\nhello\nType\nNotification\n'],
    ['accented', 'Visite à domicile: infirmière, café'],
    ['4-byte characters', 'offer 🏥 matched 👩‍⚕️'],
    ['a lone surrogate', 'before \ud800 after'],
  ])('accepts its own signature and refuses a tampered text: %s', (_kind, text) => {
    const signature = signText(text);
    expect(verifyTextSignature(SHA256, text, signature, publicKey)).toBe(true);
    expect(verifyTextSignature(SHA256, `${text}x`, signature, publicKey)).toBe(false);
    expect(verifyTextSignature('RSA-SHA1', text, signature, publicKey)).toBe(false);
  });

  it('verifies a text of SNS’s largest size, with characters of every UTF-8 length', () => {
    // 1, 2, 3 and 4 bytes of UTF-8: 10 bytes a repeat, about 256 KB in all.
    const text = 'aé€🏥'.repeat(Math.floor((256 * 1024) / 10));
    const signature = signText(text);
    expect(verifyTextSignature(SHA256, text, signature, publicKey)).toBe(true);
    expect(verifyTextSignature(SHA256, text.slice(1), signature, publicKey)).toBe(false);
  });

  it('refuses a text that is a prefix of the previous, longer text with that text’s signature', () => {
    const long = 'Message\nhi\nType\nNotification\nMessage\nmore of the first text\n';
    const prefix = long.slice(0, long.indexOf('Message', 1));
    const longSignature = signText(long);
    expect(verifyTextSignature(SHA256, long, longSignature, publicKey)).toBe(true);
    expect(verifyTextSignature(SHA256, prefix, longSignature, publicKey)).toBe(false);
    expect(verifyTextSignature(SHA256, prefix, signText(prefix), publicKey)).toBe(true);
  });

  it('refuses a signature that is a prefix of the previous check’s signature', () => {
    const text = 'Message\nhi\n';
    const signature = signText(text);
    expect(verifyTextSignature(SHA256, text, signature, publicKey)).toBe(true);
    expect(verifyTextSignature(SHA256, text, withoutLastBytes(signature), publicKey)).toBe(false);
  });

  it('gives the right answers after a signature too long for the scratch', () => {
    const text = 'small';
    const tooLong = 'A'.repeat(SIGNATURE_SCRATCH_CHARS + 4);
    expect(verifyTextSignature(SHA256, text, tooLong, publicKey)).toBe(false);
    expect(verifyTextSignature(SHA256, text, signText(text), publicKey)).toBe(true);
    expect(verifyTextSignature(SHA256, `${text}!`, signText(text), publicKey)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['not base64', '!!!!'],
    ['too short for the key', 'AAAA'],
  ])('refuses a signature that is %s, without throwing', (_kind, signature) => {
    expect(verifyTextSignature(SHA256, 'text', signature, publicKey)).toBe(false);
  });
});

describe('createSnsVerifier, one verifier for many messages', () => {
  let identity: SnsSigningIdentity;
  const start = new Date();

  beforeAll(async () => {
    identity = await createSnsSigningIdentity();
  });

  const verifierFor = () =>
    createSnsVerifier({
      httpGet: fakeHttpGet({ [CERT_URL]: { status: 200, body: identity.certPem } }).httpGet,
      now: () => start,
    });
  const signed = (message: string) =>
    parseSnsEnvelope(sign(notificationFields(start, { Message: message }), identity));

  it('verifies a big message, then a small one, then refuses a tampered one after a valid one', async () => {
    const verifier = verifierFor();
    const big = signed(JSON.stringify({ notes: 'é'.repeat(200_000) }));
    const small = signed('{"offer_id":"offer-1"}');
    await expect(verifier.verifySignature(big)).resolves.toBeUndefined();
    await expect(verifier.verifySignature(small)).resolves.toBeUndefined();
    await expect(
      verifier.verifySignature({ ...small, Message: '{"offer_id":"offer-2"}' }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(verifier.verifySignature(small)).resolves.toBeUndefined();
  });

  it('refuses a message whose string to sign is a prefix of the previous one’s, signed as that one', async () => {
    const verifier = verifierFor();
    const short = signed('hi');
    const fields = notificationFields(start);
    // The longer message's string to sign starts with the whole of the shorter one's.
    const long = signed(
      `hi\nMessageId\n${fields.MessageId}\nTimestamp\n${fields.Timestamp}\n` +
        `TopicArn\n${fields.TopicArn}\nType\nNotification\nand more`,
    );
    await expect(verifier.verifySignature(long)).resolves.toBeUndefined();
    await expect(
      verifier.verifySignature({ ...short, Signature: long.Signature }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it('refuses a signature cut short after the full one verified', async () => {
    const verifier = verifierFor();
    const message = signed('hi');
    await expect(verifier.verifySignature(message)).resolves.toBeUndefined();
    const cut = parseSnsEnvelope({ ...message, Signature: withoutLastBytes(message.Signature) });
    await expect(verifier.verifySignature(cut)).rejects.toMatchObject({ status: 403 });
  });
});
