import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, FileSystem, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { AwsCustomResource, Logging, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Rules } from '../lambdas/core/config';
import { RULES_OBJECT_KEY, rulesDocument } from '../lambdas/core/rules-document';
import { rulesVersionOf } from '../lambdas/core/rules-source';
import { acknowledgeBucketWithoutKey, acknowledgeLogGroupWithoutKey } from './key-acknowledgements';
import { acknowledge, acknowledgeEach, LAMBDA_DLQ_RULES } from './nag';

/** Non-current rules versions (the ones a rollback copies back) are kept this long... */
export const RULES_NONCURRENT_DAYS = 90;
/** ...except the newest ones, kept whatever their age, so a rarely changed rule set can always roll back. */
export const RULES_NONCURRENT_VERSIONS_KEPT = 10;

export interface RulesStoreProps {
  /**
   * The project's data key: encrypts the bucket and the publication's log group. None with config
   * `encryption.keys: "aws-managed"`: S3's own keys (SSE-S3) and CloudWatch Logs' own encryption.
   */
  readonly key: kms.IKey | undefined;
  /** The config's rules, published by every deployment that changes them. */
  readonly rules: Rules;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Where the worker's rules live: one JSON object in a versioned, KMS-encrypted bucket, so they
 * change without a deploy (the publish command) and every version stays for a rollback. A
 * deployment publishes the config's rules when they changed since the last one: the document is
 * staged as a file asset and copied into place by an SDK call, so the rules never travel in a
 * function's environment or a template, and their size is not bounded by either.
 */
export class RulesStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly objectKey = RULES_OBJECT_KEY;
  /** The config's rules as staged for the deployment (the document the worker will read). */
  readonly configRules: Asset;
  /** The version (content hash) of the config's rules, as decisions record it. */
  readonly configRulesVersion: string;
  readonly publication: AwsCustomResource;

  constructor(scope: Construct, id: string, props: RulesStoreProps) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      ...(props.key !== undefined
        ? {
            encryption: s3.BucketEncryption.KMS,
            encryptionKey: props.key,
            // One data key per bucket instead of a KMS call per read: the worker reads once a minute.
            bucketKeyEnabled: true,
          }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ExpireOldRulesVersions',
          noncurrentVersionExpiration: Duration.days(RULES_NONCURRENT_DAYS),
          noncurrentVersionsToRetain: RULES_NONCURRENT_VERSIONS_KEPT,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    if (props.key === undefined) acknowledgeBucketWithoutKey(this.bucket);
    acknowledgeEach(
      this.bucket,
      ['AwsSolutions-S1', 'HIPAA.Security-S3BucketLoggingEnabled'],
      'The bucket holds one rules object: its history is the object versions themselves, and reads are the worker polling once a minute; an access-log bucket would record mostly those polls. Enable CloudTrail S3 data events if your policy requires an access trail.',
    );
    acknowledge(
      this.bucket,
      'HIPAA.Security-S3BucketReplicationEnabled',
      'The bucket holds the rules only (never client data), versioned and retained; the current rules are also in the deployment config, from which any deployment publishes them again. A replica bucket in another region would add a bucket, a key and a role for no data that could not be rebuilt.',
    );

    // The document exactly as the worker parses it, staged as a file asset by `cdk deploy`.
    const document = rulesDocument(props.rules);
    const dir = FileSystem.mkdtemp('connector-rules-');
    const file = path.join(dir, RULES_OBJECT_KEY);
    fs.writeFileSync(file, document);
    this.configRules = new Asset(this, 'ConfigRules', { path: file });
    this.configRulesVersion = rulesVersionOf(props.rules);

    // An own role and log group, as for the connector's functions: no managed policy, and exactly
    // the three permissions the copy needs.
    const logGroup = new logs.LogGroup(this, 'PublishLogs', {
      retention: props.logRetention,
      encryptionKey: props.key,
    });
    if (props.key === undefined) acknowledgeLogGroupWithoutKey(logGroup);
    const role = new iam.Role(this, 'PublishRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'AlayaCare connector: copies the config rules into the rules bucket at deployment (execution role)',
    });
    logGroup.grantWrite(role);
    acknowledge(
      role,
      'HIPAA.Security-IAMNoInlinePolicy',
      "The inline policy is this one role's three permissions on the exact object ARNs and key it copies with; a customer managed policy would be the same statements in a separately attachable object.",
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.configRules.bucket.arnForObjects(this.configRules.s3ObjectKey)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(RULES_OBJECT_KEY)],
      }),
    );
    // S3 asks KMS for a data key under the bucket's key to encrypt the copy (SSE-S3: no KMS).
    if (props.key !== undefined) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey'],
          resources: [props.key.keyArn],
        }),
      );
    }

    const copy = {
      service: 'S3',
      action: 'CopyObject',
      parameters: {
        Bucket: this.bucket.bucketName,
        Key: RULES_OBJECT_KEY,
        CopySource: `${this.configRules.s3BucketName}/${this.configRules.s3ObjectKey}`,
        ContentType: 'application/json',
        // Else the copy keeps the asset's metadata and the ContentType above is ignored.
        MetadataDirective: 'REPLACE',
        // Without the data key, said explicitly: switching config encryption.keys then changes
        // this resource, so the deployment copies the rules again, out from under the old key
        // (which the worker may no longer use). A version published since is replaced (README).
        ...(props.key === undefined ? { ServerSideEncryption: 'AES256' } : {}),
      },
      // One object, whatever its version: the resource is never replaced, only updated.
      physicalResourceId: PhysicalResourceId.of(RULES_OBJECT_KEY),
      outputPaths: ['VersionId'],
      logging: Logging.withDataHidden(),
    };
    // The asset's key is its content hash: a deployment with changed rules updates this resource,
    // which copies them; one with the same rules leaves a version published meanwhile in place.
    this.publication = new AwsCustomResource(this, 'Publish', {
      onCreate: copy,
      onUpdate: copy,
      role,
      logGroup,
      installLatestAwsSdk: false,
      timeout: Duration.minutes(1),
    });
    acknowledgeDeploymentFunction(this);
  }
}

/**
 * The function AwsCustomResource runs (one per stack, created by CDK outside this construct):
 * invoked by CloudFormation, synchronously, once per deployment that changes the rules.
 */
function acknowledgeDeploymentFunction(scope: Construct): void {
  const fn = Stack.of(scope).node.findChild(
    `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
  );
  const deployOnly =
    'Runs only at deployment, invoked synchronously by CloudFormation to copy the rules object once; ';
  acknowledge(
    fn,
    'HIPAA.Security-LambdaConcurrency',
    `${deployOnly}CloudFormation never runs it twice at once, so a concurrency limit would bound nothing.`,
  );
  acknowledgeEach(
    fn,
    LAMBDA_DLQ_RULES,
    `${deployOnly}a dead-letter queue applies to asynchronous invocations only, and a failure fails the deployment, which CloudFormation reports and rolls back.`,
  );
  acknowledge(
    fn,
    'HIPAA.Security-LambdaInsideVPC',
    `${deployOnly}it calls only the public S3 API over TLS, so a VPC would add NAT cost and no protection.`,
  );
  acknowledge(
    fn,
    'Serverless-LambdaDefaultMemorySize',
    `${deployOnly}one S3 CopyObject call needs no more than the 128 MB CDK gives it.`,
  );
  acknowledge(
    fn,
    'Serverless-LambdaTracing',
    `${deployOnly}its one call is recorded by CloudTrail and its log group; a trace would show nothing more.`,
  );
}
