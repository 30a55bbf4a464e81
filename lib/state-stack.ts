import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { provisionedCapacity, type ConnectorConfig } from '../lambdas/core/config';
import { OFFER_TABLE } from '../lambdas/adapters/offer-table-keys';
import { RETENTION } from './app-stack';
import {
  DEAD_LETTER_RETENTION,
  EVENTS_QUEUE_RETENTION,
  MAX_RECEIVE_COUNT,
  QUEUE_VISIBILITY_TIMEOUT,
} from './constants';
import { customerManagedKeys, dataKey, queueEncryption, underAwsManagedSecretsKey } from './keys';
import { acknowledgeEach } from './nag';
import { RulesStore } from './rules-store';
import { STACK_OUTPUTS } from './stack-outputs';
import { TableBackup } from './table-backup';
import { autoScale, tableBilling } from './table-capacity';

const OUT = STACK_OUTPUTS.state;

/** Rules both "no automatic rotation" findings of a secret fall under (AWS Solutions, HIPAA). */
const NO_ROTATION_RULES = ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled'];

export interface ConnectorStateStackProps extends StackProps {
  readonly config: ConnectorConfig;
}

/**
 * Everything that holds data: the encryption key, the offer table, the marketplace credentials,
 * the rules store and the events queue with its dead-letter queue. Kept apart from the functions
 * and the API so those can be replaced or torn down without touching state.
 */
export class ConnectorStateStack extends Stack {
  /** The data key; none with config `encryption.keys: "aws-managed"` (lib/keys.ts). */
  readonly key: kms.Key | undefined;
  readonly table: dynamodb.Table;
  readonly credentials: secretsmanager.ISecret;
  /** The receiver's HTTP Basic password, when `receiver.sharedSecret.enabled`. */
  readonly sharedSecret?: secretsmanager.Secret;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** The worker's rules: a versioned object the deployment and the publish command write. */
  readonly rules: RulesStore;
  /** The table's AWS Backup plan, when `backup.enabled`. */
  readonly backup: TableBackup | undefined;

  constructor(scope: Construct, id: string, props: ConnectorStateStackProps) {
    super(scope, id, props);
    const { config } = props;

    // Also the key of every log group, in both stacks (lib/keys.ts). Without it (AWS's keys),
    // each resource below takes the key AWS owns or manages for its service.
    this.key = customerManagedKeys(config.encryption) ? dataKey(this, 'DataKey') : undefined;
    const capacity = provisionedCapacity(config.table);

    this.table = new dynamodb.Table(this, 'OfferTable', {
      partitionKey: { name: OFFER_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: OFFER_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: OFFER_TABLE.ttlAttribute,
      ...tableBilling(capacity),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Without the data key, DynamoDB's AWS owned key: free, and no KMS request at all.
      ...(this.key !== undefined
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.key }
        : { encryption: dynamodb.TableEncryption.DEFAULT }),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (capacity !== undefined) autoScale(this.table, capacity);

    if (config.credentialsSecretArn !== undefined) {
      // Imported: the operator owns it and its key (README: an imported secret). The roles get
      // read of the secret; a customer managed key of it must let them decrypt.
      this.credentials = secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'Credentials',
        config.credentialsSecretArn,
      );
    } else {
      const secret = new secretsmanager.Secret(this, 'Credentials', {
        description:
          'AlayaCare marketplace login for the connector: set "username" and "password" to the account AlayaCare issued',
        // Under the data key (or aws/secretsmanager without it). The functions' decrypt is granted
        // on their roles (ConnectorFunction bindSecret), so the key's policy never names a role of
        // the app stack.
        encryptionKey: this.key,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ username: 'CHANGE_ME' }),
          generateStringKey: 'password',
        },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      if (this.key === undefined) underAwsManagedSecretsKey(secret);
      acknowledgeEach(
        secret,
        NO_ROTATION_RULES,
        'The marketplace password is issued by AlayaCare and can only be changed through AlayaCare, not by an API a rotation Lambda could call; operators update the secret by hand when AlayaCare reissues it (README: rotating the marketplace credentials).',
      );
      this.credentials = secret;
    }

    if (config.receiver.sharedSecret.enabled) {
      this.sharedSecret = new secretsmanager.Secret(this, 'SharedSecret', {
        description:
          'AlayaCare connector: password of the SNS subscription URL https://connector:<password>@<api host>/sns (during a rotation: new and old, space-separated)',
        encryptionKey: this.key,
        // Letters and digits only, so the password goes into the URL without percent-encoding.
        generateSecretString: {
          passwordLength: 48,
          excludePunctuation: true,
          includeSpace: false,
          requireEachIncludedType: true,
        },
        // AlayaCare's subscriptions carry it: a new secret would lock them out until they re-subscribe.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      if (this.key === undefined) underAwsManagedSecretsKey(this.sharedSecret);
      acknowledgeEach(
        this.sharedSecret,
        NO_ROTATION_RULES,
        'The password is part of the SNS subscription URL held by AlayaCare, which only a new subscription can change; rotation is a manual, two-password procedure documented in the README, which a rotation Lambda cannot perform.',
      );
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...queueEncryption(this.key),
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });

    acknowledgeEach(
      this.deadLetterQueue,
      ['Serverless-SQSRedrivePolicy'],
      'This is the dead-letter queue of the events queue: what fails here is kept 14 days for `npx connector dlq` and alarmed on; a dead-letter queue of its own would only move the same messages once more.',
    );

    this.queue = new sqs.Queue(this, 'EventsQueue', {
      ...queueEncryption(this.key),
      enforceSSL: true,
      // Derived from the worker's timeout (constants.ts), so the two cannot drift apart.
      visibilityTimeout: QUEUE_VISIBILITY_TIMEOUT,
      retentionPeriod: EVENTS_QUEUE_RETENTION,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    // Here rather than with the worker: this stack deploys first, so the object is in place
    // before a new worker reads it.
    this.rules = new RulesStore(this, 'Rules', {
      key: this.key,
      rules: config.rules,
      logRetention: RETENTION[config.logRetentionDays],
    });

    this.backup = config.backup.enabled
      ? new TableBackup(this, 'Backup', {
          table: this.table,
          key: this.key,
          retentionDays: config.backup.retentionDays,
        })
      : undefined;
    if (this.backup === undefined) {
      acknowledgeEach(
        this.table,
        ['HIPAA.Security-DynamoDBInBackupPlan'],
        'Point-in-time recovery (35 days, to the second) and deletion protection are on, and the table is retained when the stack is deleted; an AWS Backup plan is the config option backup.enabled (off by default: it adds backup storage to the bill).',
      );
    }

    new CfnOutput(this, OUT.queueName, {
      value: this.queue.queueName,
      description: 'Queue between the receiver and the worker',
    });
    new CfnOutput(this, OUT.deadLetterQueueName, {
      value: this.deadLetterQueue.queueName,
      description: 'Events the worker failed 5 times; inspect and redrive from the SQS console',
    });
    // The operator CLI (npx connector) reads these four: status, dlq list and redrive, replay.
    new CfnOutput(this, OUT.queueUrl, {
      value: this.queue.queueUrl,
      description: 'Events queue URL (npx connector)',
    });
    new CfnOutput(this, OUT.queueArn, {
      value: this.queue.queueArn,
      description: 'Events queue ARN (npx connector dlq redrive --all)',
    });
    new CfnOutput(this, OUT.deadLetterQueueUrl, {
      value: this.deadLetterQueue.queueUrl,
      description: 'Dead-letter queue URL (npx connector dlq)',
    });
    new CfnOutput(this, OUT.deadLetterQueueArn, {
      value: this.deadLetterQueue.queueArn,
      description: 'Dead-letter queue ARN (npx connector dlq redrive --all)',
    });
    new CfnOutput(this, OUT.tableName, {
      value: this.table.tableName,
      description: 'Offer state and decisions',
    });
    new CfnOutput(this, OUT.credentialsSecretArn, {
      value: this.credentials.secretArn,
      description: 'Put the AlayaCare marketplace username and password here',
    });
    new CfnOutput(this, OUT.rulesBucketName, {
      value: this.rules.bucket.bucketName,
      description:
        'Where the worker reads its rules: npm run rules -- publish <file> --bucket <this name>',
    });
    new CfnOutput(this, OUT.rulesObjectKey, {
      value: this.rules.objectKey,
      description: 'The rules object in RulesBucketName',
    });
    new CfnOutput(this, OUT.deployedRulesVersion, {
      value: this.rules.configRulesVersion,
      description:
        "Version of the config's rules, which a deployment publishes when they change (decisions record the version they used)",
    });
    if (this.sharedSecret !== undefined) {
      new CfnOutput(this, OUT.sharedSecretArn, {
        value: this.sharedSecret.secretArn,
        description:
          'The password of the SNS subscription URL (user "connector"); see README, Security',
      });
    }
  }
}
