/**
 * One RSA signature check over a text and a base64 signature, built for the receiver's per-message
 * cost: with warm caches, building the input is most of what a check adds to the RSA work itself.
 *
 * The text is hashed as it is encoded (`Verify#update` with a string), never copied into a Buffer
 * of its own, and the signature is decoded into a reused scratch, not a new Buffer. Of the ways
 * measured (bench/receiver.ts's messages, in the same process, in turns) this was the cheapest:
 * about 2% less per check than one-shot `crypto.verify` over a scratch holding both text and
 * signature, 5% less than over two new Buffers. (One-shot `crypto.verify` also builds a job object
 * per call, which `Verify` does not.)
 */
import { createVerify, type KeyObject } from 'node:crypto';
import { SIGNATURE_MAX_CHARS } from './sns-envelope';

/**
 * Base64 characters the scratch takes: as many as the SNS envelope check allows (3072 bytes
 * decoded; a 2048-bit RSA signature is 256). A longer string, which only a caller skipping that
 * check could pass, is decoded into a Buffer of its own.
 */
export const SIGNATURE_SCRATCH_CHARS = SIGNATURE_MAX_CHARS;

/**
 * Shared by every check in the process. `Verify#verify` is synchronous and nothing between
 * decoding into the scratch and that call yields, so one check is done with the scratch before
 * another can write into it.
 */
const scratchMemory = new ArrayBuffer(SIGNATURE_SCRATCH_CHARS);
const scratch = Buffer.from(scratchMemory);

/**
 * True when `signatureBase64` is a valid `algorithm` signature of `text` (as UTF-8) by `key`. A
 * signature that does not decode or does not suit the key is just invalid, never an exception.
 */
export function verifyTextSignature(
  algorithm: string,
  text: string,
  signatureBase64: string,
  key: KeyObject,
): boolean {
  try {
    const verifier = createVerify(algorithm);
    verifier.update(text, 'utf8');
    return verifier.verify(key, decodeSignature(signatureBase64));
  } catch {
    return false;
  }
}

/**
 * The decoded signature: a view of exactly the bytes just decoded, so what a longer, earlier
 * signature left in the scratch is never read. A plain Uint8Array view, because
 * `Buffer#subarray` goes through a subclass constructor that costs about 1% of a check.
 */
function decodeSignature(base64: string): Uint8Array {
  // Base64 decodes to fewer bytes than it has characters, so within this bound nothing is cut.
  if (base64.length > SIGNATURE_SCRATCH_CHARS) return Buffer.from(base64, 'base64');
  return new Uint8Array(scratchMemory, 0, scratch.write(base64, 0, 'base64'));
}
