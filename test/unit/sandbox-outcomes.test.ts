/**
 * How the sandbox judges a run (sandbox/outcomes.ts), on an in-memory marketplace and store: A, D
 * and R from each offer's own settled decision (a shift's decision counting for each of its
 * offers), L for offers without one, T and C from the marketplace's answer tally, the two summary
 * lines, the legacy shift fallback of the plain runs (never in the contention drill), and the
 * check that a unit's decision is the most cautious combination of its offers under the rules.
 */
import type { OfferRecord, RecordedDecision } from '../../lambdas/core/ports';
import { collectOutcomes, combineActions, type ScenarioName } from '../../sandbox/outcomes';
import { loadRules } from '../../sandbox/run-sandbox';
import { tallyAnswers } from '../../sandbox/simulator/answer-tally';
import {
  OfferBook,
  type OfferAction,
  type SimulatorCall,
} from '../../sandbox/simulator/offer-book';

const SUPPLY = 'org-supply';
const rules = loadRules();

function world() {
  const book = new OfferBook(SUPPLY);
  const records = new Map<string, OfferRecord>();
  const calls: SimulatorCall[] = [];
  /** An accept/decline as the API records it: acted (204) or refused 409 on an answered match. */
  const answer = (offerId: string, action: OfferAction) => {
    const unit = book.answerUnit(SUPPLY, offerId);
    try {
      const affected = book.respond(SUPPLY, offerId, action, {});
      calls.push({
        offerId,
        action,
        status: 204,
        at: '',
        affectedOfferIds: affected,
        organizationId: SUPPLY,
        unitKey: unit?.unitKey,
        answer: true,
      });
    } catch {
      calls.push({
        offerId,
        action,
        status: 409,
        at: '',
        affectedOfferIds: [],
        organizationId: SUPPLY,
        unitKey: unit?.unitKey,
        answer: unit?.answered === true,
      });
    }
  };
  const decide = (
    offerId: string,
    action: RecordedDecision['action'],
    extra: Partial<OfferRecord> = {},
  ) =>
    records.set(offerId, {
      offerId,
      updatedAt: '',
      ...extra,
      decision: { action, rule: 'r', reason: 'r', state: 'applied', eventId: 'e', decidedAt: '' },
    });
  const collect = (scenario: ScenarioName) =>
    collectOutcomes({
      scenario,
      store: { getOffer: async (id) => records.get(id) },
      simulator: {
        getOffer: (id) => book.get(id),
        calls: () => calls,
        answerTally: () => tallyAnswers(calls),
      },
      offers: book.all(),
      rules,
      appliedWrites: new Map(),
      deadLettered: 0,
    });
  return { book, records, answer, decide, collect };
}

/** A shift of a Toronto PSW visit (accepted alone) and a nursing service (declined alone). */
function mixedShift(w: ReturnType<typeof world>) {
  const [a, b] = [
    w.book.add({ careType: 'psw', offerType: 'visit', city: 'Toronto', shiftId: 'shift-1' }),
    w.book.add({ careType: 'nursing', offerType: 'service', city: 'Toronto', shiftId: 'shift-1' }),
  ];
  return [a.offer.id, b.offer.id] as const;
}

describe('collectOutcomes', () => {
  it('combines a unit most cautiously: decline beats review beats accept', () => {
    expect(combineActions(['accept', 'accept'])).toBe('accept');
    expect(combineActions(['accept', 'review'])).toBe('review');
    expect(combineActions(['review', 'decline', 'accept'])).toBe('decline');
  });

  it('contention: a shift answered once with its combined decision, recorded on every offer, passes', async () => {
    const w = world();
    const [a, b] = mixedShift(w);
    const lone = w.book.add({ careType: 'psw', offerType: 'service', city: 'Ottawa' }).offer.id;
    w.answer(b, 'decline');
    w.decide(a, 'decline');
    w.decide(b, 'decline');
    w.decide(lone, 'review');

    const report = await w.collect('contention');
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({
      total: 3,
      accepted: 0,
      declined: 2,
      review: 1,
      lost: 0,
      answeredTwice: 0,
      contradicted: 0,
      ok: true,
    });
    expect(report.summary).toBe(
      'sandbox: 3 offers, 0 accepted, 2 declined, 1 review, 0 lost, 0 answered twice, 0 contradicted',
    );
  });

  it('contention: offers of one shift decided alone are lost, answered twice and contradicted, and the run fails', async () => {
    const w = world();
    const [a, b] = mixedShift(w);
    w.answer(a, 'accept');
    w.decide(a, 'accept');
    // The partner's own decline, sent after the accept answered the whole shift: refused 409.
    w.answer(b, 'decline');

    const report = await w.collect('contention');
    expect(report.summary).toBe(
      'sandbox: 2 offers, 1 accepted, 0 declined, 0 review, 1 lost, 1 answered twice, 1 contradicted',
    );
    expect(report.ok).toBe(false);
  });

  it('reports a shift decision that is not the rules’ combination of its offers', async () => {
    const w = world();
    const [a, b] = mixedShift(w);
    w.answer(a, 'accept');
    w.decide(a, 'accept');
    w.decide(b, 'accept');

    const report = await w.collect('contention');
    expect(report).toMatchObject({ lost: 0, answeredTwice: 0, contradicted: 0, ok: false });
    expect(report.problems).toEqual([
      expect.stringMatching(
        /^shift shift-1: decided accept, but the rules combine its 2 offer\(s\) to decline$/,
      ),
    ]);
  });

  it('plain runs only: a partner answered by the other offer’s call counts through the legacy fallback', async () => {
    const w = world();
    const [a, b] = [
      w.book.add({ careType: 'psw', offerType: 'visit', city: 'Toronto', shiftId: 'shift-2' }).offer
        .id,
      w.book.add({ careType: 'psw', offerType: 'visit', city: 'Toronto', shiftId: 'shift-2' }).offer
        .id,
    ];
    w.answer(a, 'accept');
    w.decide(a, 'accept');
    w.records.set(b, { offerId: b, shiftId: 'shift-2', matchResponse: 'accepted', updatedAt: '' });

    const plain = await w.collect('once');
    expect(plain.problems).toEqual([]);
    expect(plain).toMatchObject({ accepted: 2, lost: 0, ok: true });
    expect(plain.offers.map((o) => o.decidedBy)).toEqual(['own', 'shift']);
    expect(plain.summary).toBe('sandbox: 2 offers, 2 accepted, 0 declined, 0 review, 0 lost');

    const drill = await w.collect('contention');
    expect(drill).toMatchObject({ accepted: 1, lost: 1, ok: false });
  });

  it('plain runs: a unit answered twice is a problem even without a summary column for it', async () => {
    const w = world();
    const id = w.book.add({ careType: 'psw', offerType: 'visit', city: 'Toronto' }).offer.id;
    w.answer(id, 'accept');
    w.answer(id, 'accept');
    w.decide(id, 'accept');

    const report = await w.collect('once');
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(`offer ${id.slice(0, 8)}: answered 2 times`);
  });
});
