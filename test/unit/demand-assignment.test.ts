/**
 * Covers chooseAssignment (lambdas/core/demand-assignment.ts), the pure choice of the match an
 * accepted outbox offer is assigned to: policy `none`, earliest accepted by created_at, matches no
 * longer open left out, ties and unreadable times. Acting on the choice (setting, offer status,
 * intended/applied records) is covered in process-event-demand.test.ts and against the simulator
 * in test/integration/demand-assign.test.ts.
 */
import { chooseAssignment } from '../../lambdas/core/demand-assignment';
import type { AcceptedMatch } from '../../lambdas/core/ports';

const match = (
  id: string,
  createdAt: string,
  status: AcceptedMatch['status'] = 'open',
): AcceptedMatch => ({ id, createdAt, status });

describe('chooseAssignment', () => {
  const early = match('m-early', '2026-05-01T08:00:00Z');
  const middle = match('m-middle', '2026-05-01T08:05:00Z');
  const late = match('m-late', '2026-05-01T09:00:00Z');

  it('chooses nothing under policy none, whatever the matches', () => {
    expect(chooseAssignment('none', [early, middle, late])).toBeUndefined();
  });

  it('chooses the earliest accepted match by created_at, whatever the listing order', () => {
    expect(chooseAssignment('first-accepted', [late, early, middle])).toBe(early);
    expect(chooseAssignment('first-accepted', [middle, late])).toBe(middle);
  });

  it('compares instants, not strings (time zone offsets)', () => {
    const utc = match('m-utc', '2026-05-01T08:30:00Z');
    const montreal = match('m-offset', '2026-05-01T04:10:00-04:00'); // 08:10 UTC
    expect(chooseAssignment('first-accepted', [utc, montreal])).toBe(montreal);
  });

  it('leaves out matches that are closed, expired or assigned, and takes a null status as open', () => {
    const closed = match('m-closed', '2026-05-01T07:00:00Z', 'closed');
    const expired = match('m-expired', '2026-05-01T07:10:00Z', 'expired');
    const unknown = match('m-null', '2026-05-01T07:20:00Z', null);
    expect(chooseAssignment('first-accepted', [closed, expired, late, unknown])).toBe(unknown);
    expect(chooseAssignment('first-accepted', [closed, expired])).toBeUndefined();
  });

  it('chooses nothing when there is no accepted match', () => {
    expect(chooseAssignment('first-accepted', [])).toBeUndefined();
  });

  it('breaks ties by id and sorts an unreadable time last, so every run picks the same match', () => {
    const b = match('m-b', '2026-05-01T08:00:00Z');
    const a = match('m-a', '2026-05-01T08:00:00Z');
    expect(chooseAssignment('first-accepted', [b, a])).toBe(a);
    expect(chooseAssignment('first-accepted', [a, b])).toBe(a);
    const garbled = match('m-0', 'not a time');
    expect(chooseAssignment('first-accepted', [garbled, late])).toBe(late);
    expect(chooseAssignment('first-accepted', [garbled])).toBe(garbled);
  });

  it("does not reorder the caller's list", () => {
    const list = [late, early];
    chooseAssignment('first-accepted', list);
    expect(list).toEqual([late, early]);
  });
});
