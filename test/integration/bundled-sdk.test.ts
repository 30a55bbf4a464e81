/**
 * The functions bundle the AWS SDK, Smithy and Powertools from their ES module builds
 * (lib/bundling.ts `mainFields`), which esbuild trims to what is used. This bundles an entry that
 * uses each client the functions bundle (test/support/bundled-sdk-entry.ts) with exactly the
 * functions' options, runs it in a fresh Node process configured only by its environment, as in
 * Lambda, against the emulators (dynalite; fauxqs for SQS, SNS and S3), and checks every call's
 * result: an item written and read back through the stores' document layer, a message sent and
 * received, a publish, the rules reader's signed GET, the marketplace login read from Secrets
 * Manager through Powertools and a referral put on EventBridge (both answered by a small server
 * here that speaks their JSON protocol and records the calls), and the Logger's and Metrics' lines.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { build } from 'esbuild';
import { esbuildOptionsFrom } from '../../bench/cold/parts';
import { CONNECTOR_BUNDLING } from '../../lib/bundling';
import { PROJECT_ROOT } from '../../lib/connector-function';
import { createOfferTable } from '../../lambdas/adapters/offer-table';
import {
  EMULATOR_AWS,
  startDynalite,
  startFauxqs,
  type RunningEmulator,
} from '../../sandbox/emulators';
import { listenLocal, type LocalServer, readBody } from '../../sandbox/http-util';
import { shutDown } from '../support/shut-down';

let dynalite: RunningEmulator;
let fauxqs: RunningEmulator;
let dir: string;
let jsonApi: LocalServer;
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:marketplace-AbCdEf';
const BUS_ARN = 'arn:aws:events:us-east-1:111122223333:event-bus/referrals';
/** The JSON-protocol calls the server answered: their X-Amz-Target and body. */
const calls: { target: string; body: Record<string, unknown> }[] = [];

/** Answers GetSecretValue and PutEvents as Secrets Manager and EventBridge do. */
function answer(target: string, body: Record<string, unknown>): Record<string, unknown> {
  if (target === 'secretsmanager.GetSecretValue')
    return {
      ARN: body.SecretId,
      Name: 'marketplace',
      SecretString: JSON.stringify({ username: 'agency-login', password: 'not-logged' }),
      VersionId: 'v1',
    };
  if (target === 'AWSEvents.PutEvents')
    return { FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] };
  return {};
}

beforeAll(async () => {
  [dynalite, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  dir = mkdtempSync(join(tmpdir(), 'bundled-sdk-'));
  jsonApi = await listenLocal((request, response) => {
    void readBody(request, 64 * 1024).then((text) => {
      const target = String(request.headers['x-amz-target']);
      const body = JSON.parse(text.toString('utf8')) as Record<string, unknown>;
      calls.push({ target, body });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(answer(target, body)));
    });
  });
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await jsonApi.close();
  await shutDown([], [dynalite, fauxqs]);
});

it('every client the functions bundle works from the bundle, configured by the environment alone', async () => {
  const dynamo = new DynamoDBClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
  const sqs = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
  const sns = new SNSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
  const s3 = new S3Client({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint, forcePathStyle: true });
  try {
    await createOfferTable(dynamo, 'offers');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'events' }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'review' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'rules-bucket' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'rules.json', Body: '{"rules":[]}' }),
    );

    const bundle = join(dir, 'index.js');
    await build({
      ...esbuildOptionsFrom(CONNECTOR_BUNDLING),
      entryPoints: [join(PROJECT_ROOT, 'test/support/bundled-sdk-entry.ts')],
      outfile: bundle,
      absWorkingDir: PROJECT_ROOT,
      logLevel: 'silent',
    });
    // Not spawnSync: dynalite answers from this process, whose event loop must keep running.
    const result = await promisify(execFile)(
      process.execPath,
      [
        bundle,
        'offers',
        String(QueueUrl),
        String(TopicArn),
        'rules-bucket',
        'rules.json',
        SECRET_ARN,
        BUS_ARN,
      ],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          AWS_REGION: EMULATOR_AWS.region,
          AWS_ACCESS_KEY_ID: EMULATOR_AWS.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: EMULATOR_AWS.credentials.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
          AWS_ENDPOINT_URL_SQS: fauxqs.endpoint,
          AWS_ENDPOINT_URL_SNS: fauxqs.endpoint,
          AWS_ENDPOINT_URL_S3: fauxqs.endpoint,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: jsonApi.url,
          AWS_ENDPOINT_URL_EVENTBRIDGE: jsonApi.url,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          POWERTOOLS_METRICS_NAMESPACE: 'BundledSmoke',
        },
      },
    );
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    const line = lines.find((text) => text.startsWith('RESULT '));
    expect(JSON.parse(line?.slice('RESULT '.length) ?? 'null')).toEqual({
      item: {
        pk: 'OFFER#bundled',
        sk: 'OFFER',
        note: 'written by the bundle',
        list: [1, 'two', { three: 3 }],
      },
      messages: ['from the bundle'],
      published: true,
      object: '{"rules":[]}',
      login: 'agency-login',
    });
    expect(calls.map((call) => call.target)).toEqual([
      'secretsmanager.GetSecretValue',
      'AWSEvents.PutEvents',
    ]);
    expect(calls[0].body).toMatchObject({ SecretId: SECRET_ARN });
    expect(calls[1].body).toMatchObject({
      Entries: [
        expect.objectContaining({
          EventBusName: BUS_ARN,
          DetailType: 'ReferralReceived',
          Detail: expect.stringContaining('"referralId":"referral-1"'),
        }),
      ],
    });
    const logged = lines
      .filter((text) => text.startsWith('{'))
      .map((text): unknown => JSON.parse(text));
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: 'Bundled smoke test done', level: 'INFO' }),
        expect.objectContaining({
          _aws: expect.objectContaining({ CloudWatchMetrics: expect.anything() }),
        }),
      ]),
    );
  } finally {
    for (const client of [dynamo, sqs, sns, s3]) client.destroy();
  }
});
