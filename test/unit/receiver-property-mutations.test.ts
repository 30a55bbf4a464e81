/**
 * Property test (fast-check, fixed seed) for the receiver: one to three random mutations of a
 * genuinely signed SNS message (character edits in any signed field, the signature or its
 * version, removed and swapped fields, another Type, another allowed-looking TopicArn, another
 * SigningCertURL, an added Subject) never get a 2xx, never enqueue, and never make the receiver
 * fetch a URL outside the SNS certificate policy (so never the SubscribeURL either). Where a
 * mutated SigningCertURL is still a trusted SNS URL, the fake serves a certificate SNS did not
 * issue there, as an attacker would need. A control first shows every unmutated message is
 * accepted, so the property cannot hold vacuously. An attacker signing with their own key is in
 * receiver-property-own-key.test.ts; shared setup in test/support/receiver-property-setup.ts.
 * Leaves named cases and exact statuses to test/unit/receiver-bad-input.test.ts.
 */
import fc from 'fast-check';
import { isTrustedSigningCertUrl } from '../../lambdas/adapters/sns-verifier';
import { createReceiver } from '../../lambdas/receiver/receiver';
import type { SignedSnsMessage } from '../../sandbox/sns-signing';
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
  FOREIGN_TOPIC_ARN,
  OTHER_ALLOWED_TOPIC_ARN,
  SUBSCRIBE_URL,
  TOPIC_ARN,
  apiEvent,
  confirmationFields,
  fakeHttpGet,
  fakeQueue,
  notificationFields,
  sign,
  type FakeHttpGet,
  type FakeQueue,
} from '../support/sns-fixtures';
import { without } from '../support/without';

interface Base {
  name: string;
  message: SignedSnsMessage;
  /** Fields a mutation may touch: every signed field present, plus the signature's own fields. */
  fields: readonly string[];
}

const { identity, other } = useSigningIdentities();
let bases: Base[];

beforeAll(() => {
  const signature = ['Signature', 'SignatureVersion', 'SigningCertURL'];
  const notification = ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type', ...signature];
  const confirmation = [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
    ...signature,
  ];
  bases = [
    {
      name: 'Notification v2 with Subject',
      message: sign(notificationFields(NOW, { Subject: 'Offer matched' }), identity, '2'),
      fields: [...notification, 'Subject'],
    },
    {
      name: 'Notification v1 without Subject',
      message: sign(notificationFields(NOW), identity, '1'),
      fields: notification,
    },
    {
      name: 'SubscriptionConfirmation v2',
      message: sign(confirmationFields('SubscriptionConfirmation', NOW), identity, '2'),
      fields: confirmation,
    },
    {
      name: 'UnsubscribeConfirmation v1',
      message: sign(confirmationFields('UnsubscribeConfirmation', NOW), identity, '1'),
      fields: confirmation,
    },
  ];
});

interface Harness {
  receive: ReturnType<typeof createReceiver>;
  http: FakeHttpGet;
  queue: FakeQueue;
}

/**
 * The genuine certificate at CERT_URL, 200 at the SubscribeURL, and at any other URL the
 * certificate of a key SNS never had.
 */
function harness(): Harness {
  const http = fakeHttpGet(
    {
      [CERT_URL]: { status: 200, body: identity.certPem },
      [SUBSCRIBE_URL]: { status: 200, body: '' },
    },
    () => ({ status: 200, body: other.certPem }),
  );
  const queue = fakeQueue();
  const receive = createReceiver({
    allowedTopicArns: [TOPIC_ARN, OTHER_ALLOWED_TOPIC_ARN],
    queue,
    httpGet: http.httpGet,
    logger,
    now: () => NOW,
  });
  return { receive, http, queue };
}

// ---------------------------------------------------------------------------------------------
// Mutations

type Mutation =
  | {
      kind: 'edit';
      field: number | string;
      op: 'replace' | 'delete' | 'insert';
      position: number;
      fromEnd: boolean;
      char: string;
    }
  | { kind: 'remove'; field: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'type'; to: unknown }
  | { kind: 'version'; to: unknown }
  | { kind: 'topic'; to: string }
  | { kind: 'certUrl'; to: string }
  | { kind: 'subject'; to: string };

const LOOK_ALIKE_TOPICS = [
  OTHER_ALLOWED_TOPIC_ARN,
  FOREIGN_TOPIC_ARN,
  TOPIC_ARN.replace('ca-central-1', 'us-east-1'),
  TOPIC_ARN.toUpperCase(),
  `${TOPIC_ARN} `,
  `${TOPIC_ARN}\u202e`,
  TOPIC_ARN.replace('offers', '\u043effers'),
  `${TOPIC_ARN}-2`,
];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      // Any field of the base, with the signature and its URL picked more often than by chance.
      field: fc.oneof(
        { weight: 3, arbitrary: fc.nat() },
        { weight: 2, arbitrary: fc.constantFrom<number | string>('Signature', 'SigningCertURL') },
      ),
      op: fc.constantFrom('replace' as const, 'delete' as const, 'insert' as const),
      // Mostly within a few characters of either end, where the tricks live (a signature's
      // padding, a URL's scheme and extension, a timestamp's zone); otherwise anywhere.
      position: fc.oneof(
        { weight: 2, arbitrary: fc.nat({ max: 3 }) },
        { weight: 1, arbitrary: fc.nat() },
      ),
      fromEnd: fc.boolean(),
      char: charArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), field: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('type' as const),
      to: fc.constantFrom<unknown>(
        'Notification',
        'SubscriptionConfirmation',
        'UnsubscribeConfirmation',
        'notification',
        'Surprise',
        '',
        null,
        1,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('version' as const),
      to: fc.constantFrom<unknown>('1', '2', '3', '0', '', '2 ', 1, 2, null),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('topic' as const),
      to: fc.constantFrom(...LOOK_ALIKE_TOPICS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('certUrl' as const),
      to: fc.constantFrom(...OTHER_CERT_URLS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('subject' as const),
      to: fc.string({ maxLength: 8 }),
    }),
  },
);

function applyMutations(base: Base, mutations: readonly Mutation[]): Record<string, unknown> {
  let message: Record<string, unknown> = { ...base.message };
  const fieldAt = (field: number | string): string =>
    typeof field === 'string' ? field : base.fields[field % base.fields.length];
  for (const mutation of mutations) {
    switch (mutation.kind) {
      case 'edit': {
        const field = fieldAt(mutation.field);
        const value = message[field];
        const text = typeof value === 'string' ? value : '';
        const offset = mutation.position % (text.length + 1);
        const at = mutation.fromEnd ? text.length - offset : offset;
        const rest = mutation.op === 'insert' ? text.slice(at) : text.slice(at + 1);
        message[field] = text.slice(0, at) + (mutation.op === 'delete' ? '' : mutation.char) + rest;
        break;
      }
      case 'remove':
        message = without(message, fieldAt(mutation.field));
        break;
      case 'swap': {
        const [a, b] = [fieldAt(mutation.a), fieldAt(mutation.b)];
        [message[a], message[b]] = [message[b], message[a]];
        break;
      }
      case 'type':
        message.Type = mutation.to;
        break;
      case 'version':
        message.SignatureVersion = mutation.to;
        break;
      case 'topic':
        message.TopicArn = mutation.to;
        break;
      case 'certUrl':
        message.SigningCertURL = mutation.to;
        break;
      case 'subject':
        // Subject is signed only in notifications; on a confirmation it would be an unsigned extra.
        if (base.message.Type === 'Notification') message.Subject = mutation.to;
        break;
    }
  }
  return message;
}

/** True when the mutations cancelled out (or touched nothing): the message is the genuine one. */
function unchanged(base: SignedSnsMessage, mutated: Record<string, unknown>): boolean {
  const original: Record<string, unknown> = { ...base };
  const names = new Set([...Object.keys(original), ...Object.keys(mutated)]);
  return [...names].every((name) => Object.is(original[name], mutated[name]));
}

// ---------------------------------------------------------------------------------------------

describe('receiver under random mutations of signed messages', () => {
  it('accepts every unmutated base message (the control)', async () => {
    for (const base of bases) {
      const h = harness();
      const result = await h.receive(apiEvent(JSON.stringify(base.message)));
      expect({ base: base.name, status: result.statusCode }).toEqual({
        base: base.name,
        status: 200,
      });
    }
  });

  it(`never answers 2xx, never enqueues, never fetches outside the certificate policy (${NUM_RUNS} runs, seed ${SEED})`, async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        async (baseIndex, mutations) => {
          const base = bases[baseIndex % bases.length];
          const mutated = applyMutations(base, mutations);
          fc.pre(!unchanged(base.message, mutated));

          const h = harness();
          const result = await h.receive(apiEvent(JSON.stringify(mutated)));
          // 4xx, not 5xx: a forged message is refused for good rather than retried.
          expect(result.statusCode).toBeGreaterThanOrEqual(400);
          expect(result.statusCode).toBeLessThan(500);
          expect(h.queue.sends).toEqual([]);
          for (const url of h.http.urls()) expect(isTrustedSigningCertUrl(url)).toBe(true);
          refused += 1;
        },
      ),
      { numRuns: NUM_RUNS, seed: SEED, endOnFailure: true },
    );
    // Discarded no-op runs do not count: most runs must really have sent a mutated message.
    expect(refused).toBeGreaterThanOrEqual(NUM_RUNS * 0.9);
  });
});
