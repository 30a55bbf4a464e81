/**
 * AWS Backup (config `backup.enabled`): the vault and the plan cost nothing of their own; the
 * backups do. A DynamoDB backup is a full copy of the table, so a daily plan keeping each backup
 * `DeleteAfterDays` holds that many copies at steady state, billed as warm backup storage. The
 * selection's line carries the charge; the other two are free.
 */
import { PRICES, usdPer } from './prices';

export const BACKUP_FREE_TYPES: Readonly<Record<string, string>> = {
  'AWS::Backup::BackupVault': 'free (its recovery points are priced on the backup selection)',
  'AWS::Backup::BackupPlan': 'free (its recovery points are priced on the backup selection)',
};

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** Copies kept at steady state by a plan: each rule's runs a day x days kept (daily cron only). */
export function copiesKept(plan: Resource): number {
  const rules =
    (plan.Properties?.['BackupPlan'] as { BackupPlanRule?: Record<string, unknown>[] } | undefined)
      ?.BackupPlanRule ?? [];
  return rules.reduce((sum, rule) => {
    const schedule = String(rule['ScheduleExpression']);
    if (!/^cron\(\d+ \d+ \* \* \? \*\)$/.test(schedule))
      throw new Error(`cannot price backup schedule "${schedule}": only a daily cron is modelled`);
    const days = (rule['Lifecycle'] as { DeleteAfterDays?: number } | undefined)?.DeleteAfterDays;
    if (typeof days !== 'number')
      throw new Error(
        'cannot price a backup rule without DeleteAfterDays: it keeps copies forever',
      );
    return sum + days;
  }, 0);
}

/** The monthly storage of `copies` full copies of a table of `tableGb`. */
export function backupStorage(
  copies: number,
  tableGb: number,
): {
  idle: number;
  detail: string;
} {
  return {
    idle: usdPer(PRICES.backupWarmGbMonth, copies * tableGb),
    detail: `${copies} daily full copies of the ${tableGb} GB table kept (warm backup storage)`,
  };
}
