/**
 * One RSA signature check over a text and a base64 signature, with both written into a reused
 * scratch buffer instead of two new Buffers per check. The receiver runs this for every message,
 * and with warm caches building the input is most of what it adds to `crypto.verify` itself.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';

/**
 * Bytes kept for the scratch. A marketplace event's string to sign is about half a kilobyte; a
 * check whose input may not fit (up to SNS's 256 KB) gets its own Buffers, as before, which
 * costs little next to hashing that much text, and keeps the memory held for good small and fixed.
 */
export const SCRATCH_BYTES = 64 * 1024;

/**
 * Shared by every verifier in the process. `crypto.verify` without a callback is synchronous and
 * nothing between the writes and that call yields, so one check is done with the scratch before
 * another can start writing into it.
 */
const scratchMemory = new ArrayBuffer(SCRATCH_BYTES);
const scratchBytes = new Uint8Array(scratchMemory);
/** The same memory as a Buffer, for its base64 decoder. */
const scratchBuffer = Buffer.from(scratchMemory);
const utf8 = new TextEncoder();

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
  // UTF-8 needs at most 3 bytes per UTF-16 code unit and base64 decodes to fewer bytes than it
  // has characters, so within this bound neither write below can be cut short.
  if (text.length * 3 + signatureBase64.length > SCRATCH_BYTES) {
    return verifyBytes(
      algorithm,
      Buffer.from(text, 'utf8'),
      key,
      Buffer.from(signatureBase64, 'base64'),
    );
  }
  // `encodeInto` measured a little cheaper than `Buffer#write` for the text; same bytes.
  const textEnd = utf8.encodeInto(text, scratchBytes).written;
  const signatureEnd = textEnd + scratchBuffer.write(signatureBase64, textEnd, 'base64');
  // Views of exactly this check's bytes: what an earlier, longer check left after them is never
  // read. Plain Uint8Array views, because `Buffer#subarray` goes through a subclass constructor
  // that costs about 1% of a check each time.
  return verifyBytes(
    algorithm,
    new Uint8Array(scratchMemory, 0, textEnd),
    key,
    new Uint8Array(scratchMemory, textEnd, signatureEnd - textEnd),
  );
}

function verifyBytes(
  algorithm: string,
  data: Uint8Array,
  key: KeyObject,
  signature: Uint8Array,
): boolean {
  try {
    return cryptoVerify(algorithm, data, key, signature);
  } catch {
    return false;
  }
}
