/**
 * The SNS envelope check (lambdas/adapters/sns-envelope.ts), field by field: what it accepts and
 * keeps, and the `path: code` issues it gives for what it refuses, which never quote a value.
 */
import { checkSnsEnvelope } from '../../lambdas/adapters/sns-envelope';

const notification = {
  Type: 'Notification',
  MessageId: '0f4e3c1a-6a3b-4a8e-9a53-2f1f3b7c9d10',
  TopicArn: 'arn:aws:sns:us-east-1:123456789012:inbox-offers',
  Message: 'SECRET-CONTENT',
  Timestamp: '2026-01-01T00:00:00.000Z',
  SignatureVersion: '2',
  Signature: 'AAAA',
  SigningCertURL: 'https://sns.us-east-1.amazonaws.com/x.pem',
  UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
};
const { UnsubscribeURL: _unsubscribe, ...common } = notification;
const confirmation = {
  ...common,
  Type: 'SubscriptionConfirmation',
  Token: 'token-SECRET-CONTENT',
  SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription',
};

function issuesOf(value: unknown): string[] {
  const result = checkSnsEnvelope(value);
  if (result.ok) throw new Error('expected the envelope to be refused');
  return result.issues;
}

describe('checkSnsEnvelope', () => {
  it('accepts each Type with its fields, keeps unknown fields and returns a copy', () => {
    for (const value of [
      notification,
      { ...notification, Subject: 'a subject', Extra: 1 },
      confirmation,
      { ...confirmation, Type: 'UnsubscribeConfirmation' },
    ]) {
      const result = checkSnsEnvelope(value);
      expect(result).toEqual({ ok: true, envelope: value });
      if (result.ok) expect(result.envelope).not.toBe(value);
    }
  });

  it.each([
    ['no object', 'text', ['(root): invalid_type']],
    ['an array', [notification], ['(root): invalid_type']],
    ['an unknown Type', { ...notification, Type: 'Surprise' }, ['Type: invalid_union']],
    ['a missing MessageId', { ...notification, MessageId: undefined }, ['MessageId: invalid_type']],
    [
      'a MessageId with a newline',
      { ...notification, MessageId: 'a\nb' },
      ['MessageId: invalid_format'],
    ],
    ['an empty TopicArn', { ...notification, TopicArn: '' }, ['TopicArn: too_small']],
    ['a long Timestamp', { ...notification, Timestamp: 'x'.repeat(65) }, ['Timestamp: too_big']],
    [
      'a Message object',
      { ...notification, Message: { a: 'SECRET-CONTENT' } },
      ['Message: invalid_type'],
    ],
    [
      'SignatureVersion 3',
      { ...notification, SignatureVersion: '3' },
      ['SignatureVersion: invalid_value'],
    ],
    [
      'a numeric SignatureVersion',
      { ...notification, SignatureVersion: 2 },
      ['SignatureVersion: invalid_value'],
    ],
    [
      'a Signature not base64',
      { ...notification, Signature: 'not base64!' },
      ['Signature: invalid_format'],
    ],
    ['a Signature without padding', { ...notification, Signature: 'AA' }, ['Signature: custom']],
    [
      'a Signature with unused bits set',
      { ...notification, Signature: 'AAB=' },
      ['Signature: custom'],
    ],
    ['a long Signature', { ...notification, Signature: 'A'.repeat(4100) }, ['Signature: too_big']],
    ['a long Subject', { ...notification, Subject: 'x'.repeat(1025) }, ['Subject: too_big']],
    ['a notification without UnsubscribeURL', common, ['UnsubscribeURL: invalid_type']],
    [
      'a confirmation without Token and SubscribeURL',
      { ...common, Type: 'UnsubscribeConfirmation' },
      ['Token: invalid_type', 'SubscribeURL: invalid_type'],
    ],
    ['a long Token', { ...confirmation, Token: 'x'.repeat(4097) }, ['Token: too_big']],
    ['a Type that is an object', { ...notification, Type: { a: 1 } }, ['Type: invalid_union']],
    ['a Type in an array', { ...notification, Type: ['Notification'] }, ['Type: invalid_union']],
    ['a null Subject', { ...notification, Subject: null }, ['Subject: invalid_type']],
  ])('refuses %s, naming the field and never its value', (_case, value, expected) => {
    const issues = issuesOf(value);
    expect(issues).toEqual(expected);
    expect(issues.join(' ')).not.toContain('SECRET-CONTENT');
  });

  it('lists every bad field at once', () => {
    expect(issuesOf({ ...notification, TopicArn: 7, SigningCertURL: '', Signature: 'AA' })).toEqual(
      ['TopicArn: invalid_type', 'Signature: custom', 'SigningCertURL: too_small'],
    );
  });

  it("reads only the body's own fields: a __proto__ or constructor key in the JSON is an unsigned extra", () => {
    // JSON.parse makes `__proto__` an own key; the copy must keep it one, never a prototype.
    const body = JSON.stringify({ ...notification, constructor: 'x' }).replace(
      '{',
      '{"__proto__":{"Subject":"FORGED","Type":"SubscriptionConfirmation"},',
    );
    const result = checkSnsEnvelope(JSON.parse(body));
    if (!result.ok) throw new Error(result.issues.join('; '));
    expect(Object.getPrototypeOf(result.envelope)).toBe(Object.prototype);
    expect(result.envelope.Type).toBe('Notification');
    expect('Subject' in result.envelope).toBe(false);
    // With no own Type, one under `__proto__` does not count.
    const { Type: _type, ...untyped } = notification;
    const hidden = JSON.stringify(untyped).replace('{', '{"__proto__":{"Type":"Notification"},');
    expect(issuesOf(JSON.parse(hidden))).toEqual(['Type: invalid_union']);
  });
});
