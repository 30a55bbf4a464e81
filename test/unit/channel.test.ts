/**
 * Covers channelOf (lambdas/core/events.ts): which marketplace channel a topic carries, from its
 * ARN, whatever prefix or suffix an organisation's topic names carry, so the worker's outbox
 * alerts also fire on `prod-outbox-offers` or `outbox-offers-<org id>`.
 */
import { channelOf } from '../../lambdas/core/events';

const arn = (name: string) => `arn:aws:sns:ca-central-1:123456789012:${name}`;

it.each([
  ['outbox-offers', 'outbox-offers'],
  ['inbox-offers', 'inbox-offers'],
  ['prod-outbox-offers', 'outbox-offers'],
  ['outbox-offers-4f1c', 'outbox-offers'],
  ['prod-inbox-offers', 'inbox-offers'],
  ['inbox-referrals', 'inbox-referrals'],
  ['outbox-referrals-7', 'outbox-referrals'],
])('%s carries %s', (name, channel) => {
  expect(channelOf(arn(name))).toBe(channel);
});

it.each(['outbox-visits', 'reconciler', 'something-else'])(
  '%s carries no channel the worker acts on',
  (name) => {
    expect(channelOf(arn(name))).toBeUndefined();
    expect(channelOf(name)).toBeUndefined();
  },
);
