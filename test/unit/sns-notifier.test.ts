/**
 * Covers the SNS notifier (lambdas/adapters/sns-notifier.ts; the text is notification-message.ts)
 * with a plain fake SNS client: one Publish per notification to the configured topic, the kind and
 * offer id as message attributes, a body with exactly the listed fields (offer, shift, care and
 * offer type, city, start, rule, explanation) and nothing else about the client, even when the
 * object handed in carries more; an ASCII subject under SNS's 100 characters; the link from the
 * configured template only, per side; bad templates refused at construction; a refused publish
 * rejects.
 */
import type {
  PublishCommand,
  PublishCommandInput,
  PublishCommandOutput,
} from '@aws-sdk/client-sns';
import { ConfigError } from '../../lambdas/core/config';
import { reviewNotification } from '../../lambdas/core/unit-decision';
import type { OfferNotification, RecordedDecision } from '../../lambdas/core/ports';
import { MAX_SUBJECT_LENGTH } from '../../lambdas/adapters/notification-message';
import { SnsNotifier, type SnsPublisher } from '../../lambdas/adapters/sns-notifier';
import { inboxOffer, OFFER_ID, offerDetailJson, PHI } from '../support/offer-fixtures';

const TOPIC = 'arn:aws:sns:ca-central-1:111122223333:AlayaCareConnectorApp-ReviewTopic';
const OFFER_URL = 'https://acme.example.org/marketplace/offers/{offerId}';
const OUTBOX_URL = 'https://acme.example.org/marketplace/outbox/{offerId}';

function fakeSns(fail?: Error): SnsPublisher & { sent: PublishCommandInput[] } {
  const sent: PublishCommandInput[] = [];
  return {
    sent,
    send: async (command: PublishCommand): Promise<PublishCommandOutput> => {
      if (fail !== undefined) throw fail;
      sent.push(command.input);
      return { MessageId: `m-${sent.length}`, $metadata: {} };
    },
  };
}

const DECISION: RecordedDecision = {
  action: 'review',
  rule: 'default',
  reason: 'no rule matched',
  explanation: ['rule "toronto-psw": city is not one of the listed cities', 'default: review'],
  state: 'intended',
  eventId: 'e-1',
  decidedAt: '2026-05-01T08:01:00Z',
};

/** The fixture offer in a shift, as the core hands it over for review. */
const review = (): OfferNotification =>
  reviewNotification(inboxOffer({ shiftId: 'a3d7c0de-5f61-4b7b-8c1e-2f9a0b4c6d02' }), DECISION);

async function publishOne(
  notification: OfferNotification,
  links = {},
): Promise<PublishCommandInput> {
  const sns = fakeSns();
  await new SnsNotifier(sns, TOPIC, links).notify(notification);
  expect(sns.sent).toHaveLength(1);
  return sns.sent[0];
}

describe('SnsNotifier', () => {
  it('publishes one message to the topic, with the kind and offer id as message attributes', async () => {
    const sent = await publishOne(review());
    expect(Object.keys(sent).sort()).toEqual([
      'Message',
      'MessageAttributes',
      'Subject',
      'TopicArn',
    ]);
    expect(sent.TopicArn).toBe(TOPIC);
    expect(sent.MessageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'review' },
      offerId: { DataType: 'String', StringValue: OFFER_ID },
    });
  });

  it('writes a review body with exactly the listed fields, one per line, and nothing else', async () => {
    const sent = await publishOne(review());
    expect(sent.Message).toBe(
      [
        'An offer needs a person. The rules sent it to review, so the connector did not answer it: it is still open in the marketplace for you to accept or decline.',
        '',
        `Offer:      ${OFFER_ID}`,
        'Shift:      a3d7c0de-5f61-4b7b-8c1e-2f9a0b4c6d02',
        'Care type:  psw',
        'Offer type: visit',
        'City:       Montréal',
        'Starts:     2026-05-03T09:00:00Z',
        'Rule:       default',
        'Why:',
        '  - rule "toronto-psw": city is not one of the listed cities',
        '  - default: review',
        '',
        'Find the offer by its id in the AlayaCare web app.',
        '',
        'This message holds no client details on purpose; the offer in AlayaCare has them.',
      ].join('\n'),
    );
  });

  it('lets nothing about the client through: not the offer detail’s health data, zip, demand, nor fields smuggled into the object', async () => {
    const detail = JSON.stringify(offerDetailJson());
    const smuggled = {
      ...review(),
      zip: 'H2X 1Y4',
      demand: { name: 'Demo Health Authority' },
      allergies: [PHI.allergy],
      risks: [PHI.risk],
      caseManager: PHI.caseManager,
      detail,
    } as OfferNotification;
    const sent = JSON.stringify(await publishOne(smuggled, { offerUrl: OFFER_URL }));
    for (const value of [
      ...Object.values(PHI),
      'H2X',
      'Demo Health Authority',
      'd3e4f5a6',
      'c0ffee00',
      'approx',
      '45.51',
    ]) {
      expect(sent).not.toContain(value);
    }
  });

  it('keeps every value on its own line: a line break inside a value cannot add a field', async () => {
    const sent = await publishOne({
      ...review(),
      city: 'Toronto\nAllergies: peanuts',
      explanation: ['one\r\ntwo'],
    });
    expect(sent.Message).toContain('City:       Toronto Allergies: peanuts');
    expect(sent.Message).not.toMatch(/^Allergies/m);
    expect(sent.Message).toContain('  - one two');
  });

  it('makes a subject of printable ASCII under 100 characters, accents dropped', async () => {
    const sent = await publishOne(review());
    expect(sent.Subject).toBe(
      'AlayaCare offer needs review: psw/visit, Montreal, starts 2026-05-03T09:00:00Z, offer 7f1c2a9e',
    );
    const long = await publishOne({
      ...review(),
      city: `Saint-Jean-sur-Richelieu ${'ville '.repeat(30)}Québec\u2028ß`,
    });
    expect(long.Subject?.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(long.Subject).toMatch(/^[A-Za-z0-9][\x20-\x7e]*\.\.\.$/);
  });

  it.each([
    [
      'declined-by-all',
      'AlayaCare offer declined by all suppliers: nursing/service, offer 7f1c2a9e',
      'declined by every matched supplier',
    ],
    [
      'expired',
      'AlayaCare offer expired unassigned: nursing/service, offer 7f1c2a9e',
      'expired without being assigned',
    ],
  ] as const)(
    'writes a %s demand alert with what is known: the id and the types',
    async (kind, subject, intro) => {
      const sent = await publishOne({
        kind,
        offerId: OFFER_ID,
        careType: 'nursing',
        offerType: 'service',
      });
      expect(sent.Subject).toBe(subject);
      expect(sent.Message).toContain(intro);
      expect(sent.Message).toContain(
        `Offer:      ${OFFER_ID}\nCare type:  nursing\nOffer type: service\n`,
      );
      expect(sent.Message).not.toMatch(/^(City|Starts|Rule|Shift|Why):/m);
      expect(sent.MessageAttributes?.['kind']?.StringValue).toBe(kind);
    },
  );

  it('links to the offer only with a configured template: offerUrl for review, outboxOfferUrl for demand alerts', async () => {
    const links = { offerUrl: OFFER_URL, outboxOfferUrl: OUTBOX_URL };
    expect((await publishOne(review(), links)).Message).toContain(
      `Open it in AlayaCare: https://acme.example.org/marketplace/offers/${OFFER_ID}\n`,
    );
    expect((await publishOne({ kind: 'expired', offerId: 'o/1' }, links)).Message).toContain(
      'https://acme.example.org/marketplace/outbox/o%2F1\n',
    );

    const noLink = (await publishOne(review(), { outboxOfferUrl: OUTBOX_URL })).Message ?? '';
    expect(noLink).not.toContain('https://');
    expect(noLink).toContain('Find the offer by its id in the AlayaCare web app.');
    expect(
      (await publishOne({ kind: 'declined-by-all', offerId: OFFER_ID }, { offerUrl: OFFER_URL }))
        .Message,
    ).not.toContain('https://');
  });

  it.each([
    ['offerUrl', { offerUrl: 'http://acme.example.org/{offerId}' }],
    ['outboxOfferUrl', { outboxOfferUrl: 'https://acme.example.org/offers' }],
  ])(
    'refuses a bad %s template when built (the worker’s cold start fails, naming it)',
    (name, links) => {
      expect(() => new SnsNotifier(fakeSns(), TOPIC, links)).toThrow(ConfigError);
      expect(() => new SnsNotifier(fakeSns(), TOPIC, links)).toThrow(name);
    },
  );

  it('rejects when SNS refuses the publish, so the caller can retry', async () => {
    const notifier = new SnsNotifier(fakeSns(new Error('KMSAccessDenied')), TOPIC);
    await expect(notifier.notify(review())).rejects.toThrow('KMSAccessDenied');
  });
});
