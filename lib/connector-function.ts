import * as path from 'node:path';
import { Stack, type Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV_NAMES } from '../lambdas/adapters/env';
import { CONNECTOR_BUNDLING, CONNECTOR_NODE_OPTIONS, CONNECTOR_RUNTIME } from './bundling';
import { METRICS_NAMESPACE, WORKER_BATCH_SIZE } from './constants';
import { acknowledgeLogGroupWithoutKey } from './key-acknowledgements';
import { isAwsManagedKey } from './keys';

/** The repository root: handler entries and the lock file are resolved from it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * The functions' application log level: Powertools' (POWERTOOLS_LOG_LEVEL) and Lambda's
 * (applicationLogLevelV2, which Powertools reads as AWS_LAMBDA_LOG_LEVEL and puts first). Never
 * above INFO: Lambda gives a JSON line without a `level` the level INFO, and the EMF documents
 * that carry the handlers' metrics have none, so at WARN Lambda would drop every metric and the
 * alarms on them would watch nothing.
 */
export type PowertoolsLogLevel = 'DEBUG' | 'INFO';

/**
 * Lambda's platform lines (START, END, REPORT, INIT_START) are INFO: at WARN they are not written,
 * about 420 bytes an invocation not billed. Duration, Errors and Throttles stay in the free
 * AWS/Lambda metrics; a crash is an application ERROR line and a timeout counts in Errors.
 */
const SYSTEM_LOG_LEVEL = lambda.SystemLogLevel.WARN;

/** What every connector function of a stack shares, from the one config (lib/app-stack.ts). */
export type StackFunctionSettings = Pick<
  ConnectorFunctionProps,
  'logRetention' | 'logKey' | 'tracing' | 'detailMetrics'
>;

export interface ConnectorFunctionProps {
  /** Handler source, relative to the project root, exporting `handler`. */
  readonly entry: string;
  /** POWERTOOLS_SERVICE_NAME: the `service` of every log line and metric. */
  readonly serviceName: string;
  readonly description: string;
  readonly timeout: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  readonly logRetention: logs.RetentionDays;
  /**
   * Encrypts the function's log group: the data key, whose policy lets CloudWatch Logs use it
   * (lib/keys.ts); none with config `encryption.keys: "aws-managed"` (CloudWatch Logs' own).
   */
  readonly logKey: kms.IKey | undefined;
  /**
   * Reserved concurrency: at most this many instances at once, and as many always available.
   * Omit for a function whose callers bound it already (the receiver: the API stage's throttle).
   */
  readonly reservedConcurrency?: number;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** Function-specific variables; bind* methods add the resource ones. */
  readonly environment?: Record<string, string>;
  /** X-Ray active tracing (config `tracing`); off: no TracingConfig and no X-Ray permissions. */
  readonly tracing: boolean;
  /** DETAIL_METRICS: publish the detail metrics (config monitoring.detailMetrics or dashboard). */
  readonly detailMetrics: boolean;
}

export interface QueueConsumerOptions {
  /** Upper bound on concurrent invocations the queue may drive (2-1000). */
  readonly maxConcurrency: number;
  /** @default WORKER_BATCH_SIZE */
  readonly batchSize?: number;
}

/**
 * One Lambda function with the connector's defaults: the runtime of lib/bundling.ts on arm64, a
 * bundle built by the local esbuild (never Docker), its own log group (under the data key unless
 * config `encryption.keys` is `aws-managed`) with a retention, X-Ray tracing when asked, Powertools
 * settings, and a role with no managed policies. Resources are attached with `bind*`, which set
 * the variable the handler reads and grant exactly the access it needs, in one call.
 */
export class ConnectorFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ConnectorFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
    });
    if (props.logKey === undefined) acknowledgeLogGroupWithoutKey(this.logGroup);

    // An own role instead of the default one, which would carry the AWSLambdaBasicExecutionRole
    // managed policy (logs:* on every log group); this one may write to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    const logLevel = props.logLevel ?? 'INFO';
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: CONNECTOR_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      timeout: props.timeout,
      role: this.role,
      // The own log group (its key and retention), with Lambda's advanced logging controls: JSON
      // (Powertools writes its own JSON lines to stdout, which Lambda passes on unwrapped and
      // filters by their `level`), the application level the same as Powertools', no platform INFO.
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: SYSTEM_LOG_LEVEL,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      bundling: CONNECTOR_BUNDLING,
      environment: {
        [ENV_NAMES.powertoolsServiceName]: props.serviceName,
        [ENV_NAMES.powertoolsMetricsNamespace]: METRICS_NAMESPACE,
        [ENV_NAMES.powertoolsLogLevel]: logLevel,
        [ENV_NAMES.detailMetrics]: String(props.detailMetrics),
        NODE_OPTIONS: CONNECTOR_NODE_OPTIONS,
        ...props.environment,
      },
    });
  }

  /** Sets an environment variable on the function. */
  addEnvironment(name: string, value: string): this {
    this.fn.addEnvironment(name, value);
    return this;
  }

  /**
   * TABLE_NAME + read/write on the table's items (and its key, if customer-managed); with
   * `'read'`, read only (and decrypt only).
   */
  bindTable(table: ITable, access: 'readWrite' | 'read' = 'readWrite'): this {
    this.fn.addEnvironment(ENV_NAMES.tableName, table.tableName);
    if (access === 'read') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
    return this;
  }

  /**
   * QUEUE_URL + sqs:SendMessage on the queue, and, under a customer managed key, what sending
   * takes of it (a data key, and decrypting the one SQS reuses) through SQS only. Not
   * `queue.grantSendMessages`: that grants kms:Encrypt, kms:ReEncrypt* and kms:Decrypt on the key
   * for any use, which the receiver, the one function open to the internet, would then hold on
   * the key of the table, the secrets and the logs.
   */
  bindQueueSender(queue: IQueue): this {
    this.fn.addEnvironment(ENV_NAMES.queueUrl, queue.queueUrl);
    queue.grant(this.fn, 'sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl');
    if (queue.encryptionMasterKey !== undefined)
      this.grantKeyThrough(queue.encryptionMasterKey, 'sqs', 'kms:GenerateDataKey', 'kms:Decrypt');
    return this;
  }

  /**
   * Makes the function the queue's consumer: an event source mapping that reports partial batch
   * failures (so one bad record does not redeliver the whole batch) with bounded concurrency.
   * The event source grants receive, delete and change visibility (and decrypt). The consumer
   * also hands records back itself, so it gets QUEUE_URL and sqs:SendMessage on this queue (and
   * its key through SQS, as bindQueueSender): a failed record's visibility is shortened, one it
   * had no time for is re-sent as a copy.
   */
  bindQueueConsumer(queue: IQueue, options: QueueConsumerOptions): this {
    this.fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: options.batchSize ?? WORKER_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: options.maxConcurrency,
      }),
    );
    return this.bindQueueSender(queue);
  }

  /**
   * NOTIFICATION_TOPIC_ARN (and the offer link templates given) + sns:Publish on that one topic
   * (and encrypt with its key): the worker tells people about offers that need them. Under an AWS
   * managed key (aws/sns) publish only: that key's own policy lets the account's principals use it
   * through SNS, and a grant on it would be on every key of the account by alias (lib/keys.ts).
   */
  bindNotificationTopic(
    topic: ITopic,
    links: { offerUrl?: string; outboxOfferUrl?: string } = {},
  ): this {
    this.fn.addEnvironment(ENV_NAMES.notificationTopicArn, topic.topicArn);
    if (links.offerUrl !== undefined)
      this.fn.addEnvironment(ENV_NAMES.offerUrlTemplate, links.offerUrl);
    if (links.outboxOfferUrl !== undefined)
      this.fn.addEnvironment(ENV_NAMES.outboxOfferUrlTemplate, links.outboxOfferUrl);
    if (topic.masterKey !== undefined && isAwsManagedKey(topic.masterKey)) {
      this.fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
      );
    } else topic.grantPublish(this.fn);
    return this;
  }

  /**
   * REFERRAL_EVENT_BUS_ARN + events:PutEvents on exactly that bus (nothing else): the worker puts
   * `ReferralReceived` there when an offer is won.
   */
  bindReferralEventBus(eventBusArn: string): this {
    this.fn.addEnvironment(ENV_NAMES.referralEventBusArn, eventBusArn);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [eventBusArn] }),
    );
    return this;
  }

  /**
   * RULES_BUCKET and RULES_OBJECT_KEY + s3:GetObject on that one object (not the bucket, not
   * other keys) and decrypt with the bucket's key. No ListBucket: a missing object reads as
   * AccessDenied, which the worker logs like any other failed read.
   */
  bindRulesObject(bucket: IBucket, objectKey: string): this {
    this.fn.addEnvironment(ENV_NAMES.rulesBucket, bucket.bucketName);
    this.fn.addEnvironment(ENV_NAMES.rulesObjectKey, objectKey);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(objectKey)],
      }),
    );
    bucket.encryptionKey?.grantDecrypt(this.fn);
    return this;
  }

  /**
   * `variable` (by default CREDENTIALS_SECRET_ARN) = the secret's ARN + read of that one
   * secret's value, and, when the secret is under a customer managed key, decrypt with that key
   * through Secrets Manager only. Granted on the role, not with `secret.grantRead`: that would put
   * this role into the key's policy (the state stack), and the state stack would then depend on
   * the app stack that depends on it. The key's policy delegates to the account's IAM policies.
   */
  bindSecret(secret: ISecret, variable: string = ENV_NAMES.credentialsSecretArn): this {
    this.fn.addEnvironment(variable, secret.secretArn);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
      }),
    );
    if (secret.encryptionKey !== undefined)
      this.grantKeyThrough(secret.encryptionKey, 'secretsmanager', 'kms:Decrypt');
    return this;
  }

  /** `actions` on `key`, only when `service` (e.g. `sqs`) uses it on the function's behalf. */
  private grantKeyThrough(key: kms.IKey, service: string, ...actions: string[]): void {
    const stack = Stack.of(this);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions,
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `${service}.${stack.region}.${stack.urlSuffix}` },
        },
      }),
    );
  }
}
