import type { RecordedDecision } from './ports';

/**
 * An operator's replay (`connector replay`): `force` judges any settled decision again; without
 * it, only a settled `review` or `ignore` (nothing was sent) is. Either way only while the
 * marketplace shows the unit's match pending and open, under the unit's lease.
 */
export interface Replay {
  force: boolean;
}

/**
 * Whether the replay event `eventId` judges the settled decision `current` again (its unit still
 * answerable). Never the decision it made itself: a second delivery of the replay (an SQS
 * duplicate, a hand-back copy, a redriven dead letter) finds it settled and leaves it.
 */
export function rejudges(
  current: RecordedDecision,
  replay: Replay | undefined,
  eventId: string,
): boolean {
  return (
    replay !== undefined &&
    current.eventId !== eventId &&
    (replay.force || current.action === 'review' || current.action === 'ignore')
  );
}
