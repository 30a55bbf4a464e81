/**
 * The SNS HTTP(S) delivery envelope (AWS SNS developer guide), one shape per `Type`, checked field
 * by field. Written out rather than as a schema: the receiver checks nothing else with a validator,
 * and loading zod (the validator then) and building the schema cost about 3% of its cold start
 * (bench/cold.ts). The issues name a field's path and a code (`invalid_type`, `too_big`,
 * `invalid_format`...), never its value, because they are logged for a message whose signature is
 * not checked yet.
 */

/** Fields every SNS message carries. Unknown extra fields are tolerated and never signed. */
interface SnsCommonFields {
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  [extra: string]: unknown;
}

export interface SnsNotification extends SnsCommonFields {
  Type: 'Notification';
  Subject?: string;
  UnsubscribeURL: string;
}

interface SnsConfirmationFields extends SnsCommonFields {
  Token: string;
  SubscribeURL: string;
}

export interface SnsSubscriptionConfirmation extends SnsConfirmationFields {
  Type: 'SubscriptionConfirmation';
}

export interface SnsUnsubscribeConfirmation extends SnsConfirmationFields {
  Type: 'UnsubscribeConfirmation';
}

export type SnsEnvelope =
  SnsNotification | SnsSubscriptionConfirmation | SnsUnsubscribeConfirmation;

/** What one field must be: a string within `min`-`max` characters, and `check` when given. */
interface StringRule {
  min: number;
  max: number;
  /** A further check: the issue code when it fails, else undefined. */
  check?: (value: string) => string | undefined;
}

/**
 * SNS message ids are UUIDs. The pattern is a little wider but keeps the value printable and
 * short, because it is logged before the signature is checked.
 */
const MESSAGE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const URL_RULE: StringRule = { min: 1, max: 4096 };

/** The longest `Signature` the envelope check takes, in base64 characters (a 2048-bit RSA signature is 344). */
export const SIGNATURE_MAX_CHARS = 4096;

/**
 * Standard base64 in its one canonical spelling: padded, and with zero unused bits in the last
 * character. Node's decoder also takes unpadded or non-zero-bit spellings of the same bytes; left
 * unchecked, one genuine signature would have many accepted spellings.
 */
function signatureIssue(value: string): string | undefined {
  if (!BASE64.test(value)) return 'invalid_format';
  return value.length % 4 === 0 && Buffer.from(value, 'base64').toString('base64') === value
    ? undefined
    : 'custom';
}

const COMMON_RULES: Readonly<Record<string, StringRule>> = {
  MessageId: {
    min: 0,
    max: Infinity,
    check: (value) => (MESSAGE_ID.test(value) ? undefined : 'invalid_format'),
  },
  TopicArn: { min: 1, max: 1024 },
  Message: { min: 0, max: Infinity },
  Timestamp: { min: 1, max: 64 },
  Signature: { min: 0, max: SIGNATURE_MAX_CHARS, check: signatureIssue },
  SigningCertURL: URL_RULE,
};

const CONFIRMATION_RULES: Readonly<Record<string, StringRule>> = {
  ...COMMON_RULES,
  Token: { min: 1, max: 4096 },
  SubscribeURL: URL_RULE,
};

const RULES_BY_TYPE: Readonly<Record<SnsEnvelope['Type'], Readonly<Record<string, StringRule>>>> = {
  Notification: { ...COMMON_RULES, UnsubscribeURL: URL_RULE },
  SubscriptionConfirmation: CONFIRMATION_RULES,
  UnsubscribeConfirmation: CONFIRMATION_RULES,
};

function isEnvelopeType(value: unknown): value is SnsEnvelope['Type'] {
  return (
    value === 'Notification' ||
    value === 'SubscriptionConfirmation' ||
    value === 'UnsubscribeConfirmation'
  );
}

/** The issue code of one string field, or undefined when it passes. */
function stringIssue(value: unknown, rule: StringRule): string | undefined {
  if (typeof value !== 'string') return 'invalid_type';
  if (value.length < rule.min) return 'too_small';
  if (value.length > rule.max) return 'too_big';
  return rule.check?.(value);
}

/**
 * Checks a parsed JSON body as an SNS envelope: the envelope (a shallow copy, unknown fields kept),
 * or one `path: code` line per failing field.
 */
export function checkSnsEnvelope(
  value: unknown,
): { ok: true; envelope: SnsEnvelope } | { ok: false; issues: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, issues: ['(root): invalid_type'] };
  const fields = value as Record<string, unknown>;
  const type = fields.Type;
  if (!isEnvelopeType(type)) return { ok: false, issues: ['Type: invalid_union'] };
  const issues: string[] = [];
  for (const [name, rule] of Object.entries(RULES_BY_TYPE[type])) {
    const issue = stringIssue(fields[name], rule);
    if (issue !== undefined) issues.push(`${name}: ${issue}`);
  }
  if (fields.SignatureVersion !== '1' && fields.SignatureVersion !== '2')
    issues.push('SignatureVersion: invalid_value');
  if (type === 'Notification' && fields.Subject !== undefined) {
    const issue = stringIssue(fields.Subject, { min: 0, max: 1024 });
    if (issue !== undefined) issues.push(`Subject: ${issue}`);
  }
  return issues.length > 0
    ? { ok: false, issues }
    : { ok: true, envelope: { ...fields } as SnsEnvelope };
}
