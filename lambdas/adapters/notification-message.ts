/**
 * The text of a notification to a person (an e-mail, in practice): a short ASCII subject and a
 * plain-text body that reads well in a mail client, and the link templates checked. No AWS SDK here:
 * the worker checks its link templates at start with this module and loads the SNS client
 * (sns-notifier.ts) only when it first publishes.
 *
 * Only the fields of OfferNotification are read, one by one by name, so nothing else an object
 * might carry (a client's name, address, health data, the demand organisation) can reach the
 * message. The link to the offer comes from a configured template only: AlayaCare does not publish
 * its web app's URLs, and a guessed link would send a person to the wrong place.
 */
import * as v from 'valibot';
import { ConfigError } from '../core/errors';
import { offerUrlTemplateSchema } from '../core/offer-url-template';
import type { OfferNotification } from '../core/ports';

/** Link templates, `{offerId}` standing for the offer id (see `offerUrlTemplateSchema`). */
export interface OfferLinks {
  /** Offers received: review notifications. */
  offerUrl?: string;
  /** Our own (outbox) offers: demand alerts. */
  outboxOfferUrl?: string;
}

/** The message attributes set on every notification, for subscription filter policies. */
export const NOTIFICATION_ATTRIBUTES = { kind: 'kind', offerId: 'offerId' } as const;

/** SNS refuses a Subject of 100 characters or more. */
export const MAX_SUBJECT_LENGTH = 99;

const PLACEHOLDER = '{offerId}';

const INTRO: Readonly<Record<OfferNotification['kind'], string>> = {
  review:
    'An offer needs a person. The rules sent it to review, so the connector did not answer it: it is still open in the marketplace for you to accept or decline.',
  'declined-by-all':
    'One of your offers was declined by every matched supplier. It needs a person to find care another way.',
  expired:
    'One of your offers expired without being assigned. It needs a person to find care another way.',
};

const SUBJECT: Readonly<Record<OfferNotification['kind'], string>> = {
  review: 'AlayaCare offer needs review',
  'declined-by-all': 'AlayaCare offer declined by all suppliers',
  expired: 'AlayaCare offer expired unassigned',
};

/** One line of text: control characters and line breaks become spaces, so no value adds a line. */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point: none may reach a line.
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

/** Printable ASCII: accents dropped (Montréal -> Montreal), anything else left becomes `?`. */
function ascii(value: string): string {
  return oneLine(value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')).replace(
    /[^\x20-\x7e]/g,
    '?',
  );
}

/** The subject: kind, then what identifies the offer, within SNS's limit. */
export function notificationSubject(n: OfferNotification): string {
  const types = [n.careType, n.offerType].filter((t): t is string => t !== undefined).join('/');
  const details = [
    types,
    n.city,
    n.startAt === undefined ? undefined : `starts ${n.startAt}`,
    `offer ${n.offerId.slice(0, 8)}`,
  ]
    .filter((part): part is string => part !== undefined && part !== '')
    .join(', ');
  const subject = ascii(`${SUBJECT[n.kind]}: ${details}`).replace(/ {2,}/g, ' ');
  return subject.length <= MAX_SUBJECT_LENGTH
    ? subject
    : `${subject.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

/** The offer's link, when a template for its side is configured. */
export function offerLink(
  n: Pick<OfferNotification, 'kind' | 'offerId'>,
  links: OfferLinks,
): string | undefined {
  const template = n.kind === 'review' ? links.offerUrl : links.outboxOfferUrl;
  return template?.replaceAll(PLACEHOLDER, encodeURIComponent(n.offerId));
}

/** The plain-text body: a sentence on what happened, then one labelled line per field given. */
export function notificationBody(n: OfferNotification, link: string | undefined): string {
  const fields: [string, string | undefined][] = [
    ['Offer', n.offerId],
    ['Shift', n.shiftId],
    ['Care type', n.careType],
    ['Offer type', n.offerType],
    ['City', n.city],
    ['Starts', n.startAt],
    ['Rule', n.rule],
  ];
  const lines = [INTRO[n.kind], ''];
  for (const [label, value] of fields)
    if (value !== undefined) lines.push(`${`${label}:`.padEnd(12)}${oneLine(value)}`);
  if (n.explanation !== undefined && n.explanation.length > 0) {
    lines.push('Why:');
    for (const line of n.explanation) lines.push(`  - ${oneLine(line)}`);
  }
  lines.push('');
  lines.push(
    link === undefined
      ? 'Find the offer by its id in the AlayaCare web app.'
      : `Open it in AlayaCare: ${link}`,
  );
  lines.push(
    '',
    'This message holds no client details on purpose; the offer in AlayaCare has them.',
  );
  return lines.join('\n');
}

/** Validates a link template; a bad one fails the worker's cold start, naming the variable. */
function checkedTemplate(name: string, template: string | undefined): string | undefined {
  if (template === undefined) return undefined;
  const result = v.safeParse(offerUrlTemplateSchema, template);
  if (!result.success)
    throw new ConfigError(
      `Invalid ${name}: ${result.issues.map((issue) => issue.message).join('; ')}`,
    );
  return template;
}

/** The link templates, each validated: a bad one is refused with a ConfigError naming it. */
export function checkedLinks(links: OfferLinks): OfferLinks {
  const offerUrl = checkedTemplate('offerUrl', links.offerUrl);
  const outboxOfferUrl = checkedTemplate('outboxOfferUrl', links.outboxOfferUrl);
  return {
    ...(offerUrl !== undefined ? { offerUrl } : {}),
    ...(outboxOfferUrl !== undefined ? { outboxOfferUrl } : {}),
  };
}
