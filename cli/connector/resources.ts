/**
 * Where the connector's resources are: one ConnectorResources shape, found either from the two
 * stacks' CloudFormation outputs (AWS: DescribeStacks of each, ListStackResources of the app stack
 * for its alarms) or from the file a running stream-mode sandbox writes (sandbox/resources-file.ts).
 * `clientsFor` builds the SDK clients for either. Region and credentials in AWS come from the SDK's
 * default chain (AWS_REGION, AWS_PROFILE, ...), or `--region`.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type Output,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as v from 'valibot';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import { ROLES, type Role } from '../../lambdas/core/config';
import { STACK_IDS, STACK_OUTPUTS } from '../../lib/stack-outputs';
import { SANDBOX_RESOURCES_FILE, sandboxResourcesSchema } from '../../sandbox/resources-file';
import type { Progress } from './output';

export interface ConnectorResources {
  source: 'aws' | 'sandbox';
  region: string;
  tableName: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  /** Absent in the sandbox (fauxqs runs no move tasks). */
  dlqArn?: string;
  /** The receiver's URL, to give AlayaCare (AWS: without the shared-secret password). */
  endpointUrl: string;
  role: Role;
  /** Sandbox: the exact topic ARNs the receiver allows. */
  topicArns?: string[];
  rules?: { bucket: string; key: string };
  marketplace: {
    baseUrl: string;
    login: { secretArn: string } | { username: string; password: string };
  };
  /** The receiver's shared secret (its password is in the SNS URL), when enabled. */
  sharedSecretArn?: string;
  /** AWS: the app stack's alarms; undefined in the sandbox (there are none). */
  alarmNames?: string[];
  /** Sandbox: the emulators' endpoints and their fixed credentials. */
  emulator?: {
    dynamodb: string;
    sqs: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
}

export class ResourceError extends Error {
  override readonly name = 'ResourceError';
}

/** The part of an SDK client discovery uses, so tests pass a fake. */
export interface SendingClient {
  send(command: DescribeStacksCommand | ListStackResourcesCommand): Promise<unknown>;
}

async function stackOutputs(
  cfn: SendingClient,
  stackName: string,
  region: string,
): Promise<Map<string, string>> {
  let output: { Stacks?: Array<{ Outputs?: Output[] }> };
  try {
    output = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))) as typeof output;
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    if (/does not exist/i.test(message))
      throw new ResourceError(
        `stack ${stackName} not found in ${region}: deploy it (npx cdk deploy --all), or pass --region`,
      );
    throw new ResourceError(
      `could not describe stack ${stackName} in ${region}: ${error instanceof Error ? error.name : 'error'}: ${message}`,
    );
  }
  const stack = output.Stacks?.[0];
  if (stack === undefined) throw new ResourceError(`stack ${stackName} not found in ${region}`);
  return new Map(
    (stack.Outputs ?? []).flatMap((o) =>
      o.OutputKey !== undefined && o.OutputValue !== undefined
        ? [[o.OutputKey, o.OutputValue] as [string, string]]
        : [],
    ),
  );
}

function required(outputs: Map<string, string>, stackName: string, key: string): string {
  const value = outputs.get(key);
  if (value === undefined)
    throw new ResourceError(
      `stack ${stackName} has no output ${key}: deploy this version of the connector (npx cdk deploy --all)`,
    );
  return value;
}

/** The app stack's CloudWatch alarms (physical id = alarm name), every page. */
async function alarmNames(cfn: SendingClient, stackName: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = (await cfn.send(
      new ListStackResourcesCommand({
        StackName: stackName,
        ...(token ? { NextToken: token } : {}),
      }),
    )) as {
      StackResourceSummaries?: Array<{ ResourceType?: string; PhysicalResourceId?: string }>;
      NextToken?: string;
    };
    for (const r of page.StackResourceSummaries ?? [])
      if (r.ResourceType === 'AWS::CloudWatch::Alarm' && r.PhysicalResourceId)
        names.push(r.PhysicalResourceId);
    token = page.NextToken;
  } while (token !== undefined);
  return names;
}

/** The resources from the deployed stacks' outputs. */
export async function resourcesFromStacks(
  cfn: SendingClient,
  region: string,
): Promise<ConnectorResources> {
  const S = STACK_OUTPUTS.state;
  const A = STACK_OUTPUTS.app;
  const state = await stackOutputs(cfn, STACK_IDS.state, region);
  const app = await stackOutputs(cfn, STACK_IDS.app, region);
  const need = (outputs: Map<string, string>, stack: string) => (key: string) =>
    required(outputs, stack, key);
  const s = need(state, STACK_IDS.state);
  const a = need(app, STACK_IDS.app);
  const role = a(A.role);
  if (!(ROLES as readonly string[]).includes(role))
    throw new ResourceError(`stack ${STACK_IDS.app} output ${A.role} is not a role: ${role}`);
  const sharedSecretArn = state.get(S.sharedSecretArn);
  return {
    source: 'aws',
    region,
    tableName: s(S.tableName),
    queueUrl: s(S.queueUrl),
    queueArn: s(S.queueArn),
    dlqUrl: s(S.deadLetterQueueUrl),
    dlqArn: s(S.deadLetterQueueArn),
    endpointUrl: a(A.endpointUrl),
    role: role as Role,
    rules: { bucket: s(S.rulesBucketName), key: s(S.rulesObjectKey) },
    marketplace: {
      baseUrl: a(A.marketplaceBaseUrl),
      login: { secretArn: s(S.credentialsSecretArn) },
    },
    ...(sharedSecretArn !== undefined ? { sharedSecretArn } : {}),
    alarmNames: await alarmNames(cfn, STACK_IDS.app),
  };
}

/** The region the SDK would use: `--region`, else its default chain (env, profile). */
export async function resolveRegion(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  const probe = new CloudFormationClient({});
  try {
    return await probe.config.region();
  } catch {
    throw new ResourceError(
      'no AWS region: set AWS_REGION (or a profile with a region), or pass --region',
    );
  } finally {
    probe.destroy();
  }
}

/** Resources from AWS, through a real CloudFormation client. */
export async function awsResources(regionOption: string | undefined): Promise<ConnectorResources> {
  const region = await resolveRegion(regionOption);
  const cfn = new CloudFormationClient({ region });
  try {
    return await resourcesFromStacks(cfn, region);
  } finally {
    cfn.destroy();
  }
}

/** Whether a process id is alive (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** Resources from the running sandbox's file. */
export function sandboxResources(file: string = SANDBOX_RESOURCES_FILE): ConnectorResources {
  if (!existsSync(file))
    throw new ResourceError(
      'no running sandbox: start one with npm start (stream mode) and wait until it streams offers',
    );
  const parsed = v.safeParse(sandboxResourcesSchema, JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new ResourceError(
      `${file} is not a sandbox resources file (from another version?): restart the sandbox`,
    );
  const r = parsed.output;
  if (!alive(r.pid))
    throw new ResourceError(
      `the sandbox that wrote ${file} (pid ${r.pid}) is not running: start one with npm start`,
    );
  return {
    source: 'sandbox',
    region: r.region,
    tableName: r.tableName,
    queueUrl: r.queueUrl,
    queueArn: r.queueArn,
    dlqUrl: r.dlqUrl,
    endpointUrl: r.endpointUrl,
    role: r.role,
    topicArns: r.topicArns,
    marketplace: {
      baseUrl: r.marketplace.baseUrl,
      login: { username: r.marketplace.username, password: r.marketplace.password },
    },
    emulator: { dynamodb: r.dynamoEndpoint, sqs: r.sqsEndpoint, credentials: r.credentials },
  };
}

export interface ConnectorClients {
  /** The stores' items (lambdas/adapters/dynamo-documents.ts). */
  documents: Documents;
  /** The same DynamoDB client, for the table scans. */
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  /** AWS only. */
  cloudwatch?: CloudWatchClient;
  destroy(): void;
}

export function clientsFor(resources: ConnectorResources): ConnectorClients {
  const base = {
    region: resources.region,
    ...(resources.emulator ? { credentials: resources.emulator.credentials } : {}),
  };
  const dynamo = cachedDynamoClient({
    ...base,
    ...(resources.emulator ? { endpoint: resources.emulator.dynamodb } : {}),
  });
  const sqs = new SQSClient({
    ...base,
    ...(resources.emulator ? { endpoint: resources.emulator.sqs } : {}),
  });
  const cloudwatch = resources.source === 'aws' ? new CloudWatchClient(base) : undefined;
  return {
    documents: new Documents(dynamo),
    dynamo,
    sqs,
    ...(cloudwatch ? { cloudwatch } : {}),
    destroy: () => {
      dynamo.destroy();
      sqs.destroy();
      cloudwatch?.destroy();
    },
  };
}

/** What every command runs with. */
export interface CommandContext {
  resources: ConnectorResources;
  clients: ConnectorClients;
  progress: Progress;
  now: () => Date;
}
