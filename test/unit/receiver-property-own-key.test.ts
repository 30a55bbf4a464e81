/**
 * Property test (fast-check, fixed seed) for the receiver: an attacker signs a fresh message with
 * their own key and names any SigningCertURL (edited, look-alike or random); wherever a real fetch
 * of it would not reach an SNS host, the fake serves the attacker's certificate, so only the URL
 * policy stands in the way, and the message must still never be accepted. Random mutations of
 * genuinely signed messages are in receiver-property-mutations.test.ts; shared setup in
 * test/support/receiver-property-setup.ts. Named cases: test/unit/receiver-bad-input.test.ts.
 */
import fc from 'fast-check';
import { createReceiver } from '../../lambdas/receiver/receiver';
import {
  NOW,
  NUM_RUNS,
  OTHER_CERT_URLS,
  SEED,
  charArb,
  logger,
} from '../support/receiver-property-setup';
import { useSigningIdentities } from '../support/receiver-harness';
import {
  CERT_URL,
  TOPIC_ARN,
  apiEvent,
  fakeHttpGet,
  fakeQueue,
  notificationFields,
  sign,
} from '../support/sns-fixtures';

const { identity, other } = useSigningIdentities();

/**
 * Where a real HTTPS GET of `url` would connect, judged by the WHATWG parser that fetch uses and
 * not by the receiver's own policy code: true when that is an SNS host, whose certificates an
 * attacker cannot choose.
 */
function reachesSnsHost(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    (parsed.port === '' || parsed.port === '443') &&
    /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(parsed.hostname)
  );
}

/** CERT_URL with a few edits, a known look-alike, or any web URL at all. */
const signingCertUrlArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.record({
        op: fc.constantFrom('replace' as const, 'delete' as const, 'insert' as const),
        position: fc.oneof(
          { weight: 2, arbitrary: fc.nat({ max: 40 }) },
          { weight: 1, arbitrary: fc.nat() },
        ),
        fromEnd: fc.boolean(),
        char: charArb,
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((edits) =>
      edits.reduce((url, edit) => {
        const offset = edit.position % (url.length + 1);
        const at = edit.fromEnd ? url.length - offset : offset;
        const rest = edit.op === 'insert' ? url.slice(at) : url.slice(at + 1);
        return url.slice(0, at) + (edit.op === 'delete' ? '' : edit.char) + rest;
      }, CERT_URL),
    ),
  fc.constantFrom(...OTHER_CERT_URLS),
  fc.webUrl({ withQueryParameters: true, withFragments: true }).map((url) => `${url}.pem`),
);

describe('receiver against an attacker who signs with their own key', () => {
  it(`never accepts it, whatever SigningCertURL it names (${NUM_RUNS} runs, seed ${SEED})`, async () => {
    // Control: the attacker's message is accepted when their certificate is served at CERT_URL,
    // so a refusal below is the URL policy's doing, not a broken signature.
    const control = fakeHttpGet({}, () => ({ status: 200, body: other.certPem }));
    const controlReceiver = createReceiver({
      allowedTopicArns: [TOPIC_ARN],
      queue: fakeQueue(),
      httpGet: control.httpGet,
      logger,
      now: () => NOW,
    });
    expect(
      (await controlReceiver(apiEvent(JSON.stringify(sign(notificationFields(NOW), other)))))
        .statusCode,
    ).toBe(200);

    await fc.assert(
      fc.asyncProperty(
        signingCertUrlArb,
        fc.constantFrom('1' as const, '2' as const),
        async (certUrl, version) => {
          // SNS hosts serve SNS's certificate; anywhere else the attacker serves their own.
          const http = fakeHttpGet({}, (url) => ({
            status: 200,
            body: reachesSnsHost(url) ? identity.certPem : other.certPem,
          }));
          const queue = fakeQueue();
          const receive = createReceiver({
            allowedTopicArns: [TOPIC_ARN],
            queue,
            httpGet: http.httpGet,
            logger,
            now: () => NOW,
          });
          const result = await receive(
            apiEvent(JSON.stringify(sign(notificationFields(NOW), other, version, certUrl))),
          );
          expect(result.statusCode).toBeGreaterThanOrEqual(400);
          expect(result.statusCode).toBeLessThan(500);
          expect(queue.sends).toEqual([]);
          for (const url of http.urls()) expect(reachesSnsHost(url)).toBe(true);
        },
      ),
      { numRuns: NUM_RUNS, seed: SEED, endOnFailure: true },
    );
  });
});
