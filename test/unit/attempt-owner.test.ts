/**
 * The lease owner of one attempt at an event (unit-decision.ts): the event id and a tag of its own,
 * so two deliveries of one event hold different leases, and `isOwnerOf` tells whose attempt a
 * lease owner is (the idempotence check of a settled write, dynamo-unit-store.ts writeDecision).
 */
import { attemptOwner, isOwnerOf } from '../../lambdas/core/unit-decision';

describe('attemptOwner', () => {
  it('gives each attempt at one event an owner of its own, naming the event', () => {
    const first = attemptOwner('ev-1');
    const second = attemptOwner('ev-1');
    expect(first).not.toBe(second);
    expect(first.startsWith('ev-1#')).toBe(true);
    expect(attemptOwner('ev-1', 'tag')).toBe('ev-1#tag');
  });

  it('refuses a tag with a #, which would make the event id ambiguous', () => {
    expect(() => attemptOwner('ev-1', 'a#b')).toThrow('an attempt tag has no #');
  });
});

describe('isOwnerOf', () => {
  it.each([
    ['an attempt at the event', 'ev-1#tag', 'ev-1', true],
    ['the event itself (demand, referrals, earlier versions)', 'ev-1', 'ev-1', true],
    ['an attempt at an event whose id has a #', 'a#b#tag', 'a#b', true],
    ['an attempt at another event', 'ev-2#tag', 'ev-1', false],
    ['an attempt at an event whose id starts with this one', 'ev-10#tag', 'ev-1', false],
    ['an owner without a tag one character longer', 'ev-10', 'ev-1', false],
    ['the event id with its last character cut', 'ev-1', 'ev-1x', false],
  ])('%s: %s of %s is %s', (_name, owner, eventId, expected) => {
    expect(isOwnerOf(owner, eventId)).toBe(expected);
  });
});
