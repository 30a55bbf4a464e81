import type { RecordedDecision } from './ports';

/**
 * An operator's replay (`connector replay`): `force` judges any settled decision again; without
 * it, only a settled `review` or `ignore` (nothing was sent) is. Either way only while the
 * marketplace shows the unit's match pending and open, under the unit's lease.
 */
export interface Replay {
  force: boolean;
}

/** Whether a replay judges the settled decision `current` again (its unit still answerable). */
export function rejudges(current: RecordedDecision, replay: Replay | undefined): boolean {
  return (
    replay !== undefined &&
    (replay.force || current.action === 'review' || current.action === 'ignore')
  );
}
