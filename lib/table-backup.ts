import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

export interface TableBackupProps {
  readonly table: ITable;
  /**
   * The data key: encrypts the vault and the table the backups are made of. None with config
   * `encryption.keys: "aws-managed"`: the vault under AWS Backup's default key (aws/backup).
   */
  readonly key: kms.IKey | undefined;
  /** Days each daily backup is kept (config backup.retentionDays). */
  readonly retentionDays: number;
}

/** The hour (UTC) of the daily backup: night in the Americas, outside most offer traffic. */
const BACKUP_HOUR_UTC = 7;

/**
 * An AWS Backup plan for the offer table (config `backup.enabled`): one backup a day into a
 * vault under the data key (or AWS Backup's default key), each kept `retentionDays`. The table's point-in-time recovery (35
 * days, to the second) stays the first way back; a plan adds copies that survive the table's
 * deletion and a retention an auditor can name. A vault with recovery points cannot be deleted,
 * so it is retained with the stack (and on replacement).
 */
export class TableBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;
  readonly selection: backup.BackupSelection;

  constructor(scope: Construct, id: string, props: TableBackupProps) {
    super(scope, id);
    // A vault's key cannot change in place and its name comes from its id: under AWS Backup's
    // default key it is another vault, so switching config encryption.keys creates it and leaves
    // the other one (retained) with its recovery points. A vault the deployment that created it
    // rolls back is deleted (it holds no backup yet), so a failed switch leaves none behind.
    this.vault = new backup.BackupVault(this, props.key !== undefined ? 'Vault' : 'AwsKeyVault', {
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'DailyOfferTable',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: String(BACKUP_HOUR_UTC) }),
          deleteAfter: Duration.days(props.retentionDays),
        }),
      ],
    });
    this.selection = this.plan.addSelection('OfferTable', {
      resources: [backup.BackupResource.fromDynamoDbTable(props.table)],
    });
    const role = this.selection.node.findChild('Role');
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'The AWS Backup service role uses the AWS-maintained policy for backups, which AWS updates as the services it backs up change; the role can be assumed by AWS Backup only.',
    );
    if (props.key !== undefined) {
      grantDataKey(this.selection, props.key);
      acknowledge(
        role,
        'HIPAA.Security-IAMNoInlinePolicy',
        'The inline policy holds only the KMS permissions of this one role on the data key (the managed policy cannot name the key); it is created and deleted with the role.',
      );
    }
  }
}

/**
 * AWS Backup reads the table and writes the vault under the data key; the key's policy delegates
 * to IAM, so the backup role gets exactly these, on that one key. Under AWS's keys it needs none.
 */
function grantDataKey(selection: backup.BackupSelection, key: kms.IKey): void {
  selection.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [key.keyArn],
    }),
  );
  selection.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:CreateGrant'],
      resources: [key.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
  );
}
