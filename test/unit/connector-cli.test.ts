/**
 * Covers the operator CLI's pure parts (cli/connector): argument parsing and usage errors (exit 2,
 * nothing looked up), output rendering (text, one JSON document, problems on stderr, the progress
 * indicator only on a TTY), CloudFormation discovery from a fake client (outputs, alarms over
 * pages, a missing stack or output is a clear error, exit 1), and the subscription e-mail.
 * The commands against the emulators: test/integration/connector-cli-*.test.ts.
 */
import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { parseArgs, UsageError } from '../../cli/connector/args';
import { main, type MainEnv, withRulesBucket } from '../../cli/connector/main';
import { duration, render, table, terminalProgress } from '../../cli/connector/output';
import {
  type ConnectorResources,
  ResourceError,
  resourcesFromStacks,
  type SendingClient,
} from '../../cli/connector/resources';
import { subscriptionEmail } from '../../cli/connector/subscribe';
import { STACK_IDS, STACK_OUTPUTS } from '../../lib/stack-outputs';

class Capture {
  text = '';
  isTTY?: boolean;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

function env(
  resources?: () => Promise<ConnectorResources>,
): MainEnv & { out: Capture; err: Capture; looked: () => number } {
  const out = new Capture();
  const err = new Capture();
  let looked = 0;
  return {
    stdout: out,
    stderr: err,
    out,
    err,
    looked: () => looked,
    resources: async () => {
      looked += 1;
      if (resources) return resources();
      throw new ResourceError('no resources in this test');
    },
  };
}

describe('argument parsing', () => {
  it('reads flags, values (both spellings) and positionals', () => {
    const parsed = parseArgs(['o-1', '--json', '--region', 'ca-central-1', '--force'], {
      force: 'flag',
    });
    expect(parsed.positionals).toEqual(['o-1']);
    expect([...parsed.flags].sort()).toEqual(['force', 'json']);
    expect(parsed.values.get('region')).toBe('ca-central-1');
    expect(parseArgs(['--region=us-east-1']).values.get('region')).toBe('us-east-1');
  });

  it('refuses unknown options, missing values and values on flags', () => {
    expect(() => parseArgs(['--nope'])).toThrow(UsageError);
    expect(() => parseArgs(['--region'])).toThrow('--region needs a value');
    expect(() => parseArgs(['--region', '--json'])).toThrow('--region needs a value');
    expect(() => parseArgs(['--json=yes'])).toThrow('--json takes no value');
    expect(() => parseArgs(['-x'])).toThrow('unknown option -x');
  });

  it.each([
    [[], 'missing command'],
    [['launch'], 'unknown command launch'],
    [['status', 'extra'], 'unexpected argument extra'],
    [['offer'], 'missing the offer id'],
    [['offer', 'a', 'b'], 'unexpected argument b'],
    [['replay', 'o-1', '--forse'], 'unknown option --forse'],
    [['dlq'], 'dlq needs list or redrive'],
    [['dlq', 'purge'], 'unknown dlq command purge'],
    [['dlq', 'redrive'], '--all or one or more ids'],
    [['dlq', 'redrive', '--all', 'm-1'], '--all or one or more ids'],
    [['dlq', 'list', '--max', '0'], '--max must be a positive integer'],
    [['status', '--sandbox', '--region', 'us-east-1'], '--region is for AWS'],
  ])('exits 2 on %j without looking anything up', async (argv, message) => {
    const e = env();
    expect(await main(argv, e)).toBe(2);
    expect(e.err.text).toContain(message);
    expect(e.err.text).toContain('usage: npx connector');
    expect(e.out.text).toBe('');
    expect(e.looked()).toBe(0);
  });

  it('prints the usage for --help, overall and per command, exit 0', async () => {
    const all = env();
    expect(await main(['--help'], all)).toBe(0);
    expect(all.out.text).toContain('dlq redrive (--all | <id>...)');
    const one = env();
    expect(await main(['replay', '--help'], one)).toBe(0);
    expect(one.out.text).toContain('--force');
    expect(one.looked()).toBe(0);
  });

  it('exits 1 with the resource error on stderr when resources cannot be found', async () => {
    const e = env();
    expect(await main(['status', '--json'], e)).toBe(1);
    expect(e.err.text).toBe('connector status: no resources in this test\n');
    expect(e.out.text).toBe('');
  });
});

describe('rules', () => {
  it('delegates to the rules commands, with their usage errors (exit 2) and nothing looked up', async () => {
    const e = env();
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['rules', 'frobnicate'], e)).toBe(2);
      expect(await main(['rules', 'publish', 'rules.json', '--bucket', 'Not_A_Bucket'], e)).toBe(2);
    } finally {
      write.mockRestore();
    }
    expect(e.looked()).toBe(0);
  });

  it('adds the deployed rules bucket and key to publish, unless given', async () => {
    const deployed = env(
      async () => ({ rules: { bucket: 'rules-bucket', key: 'rules.json' } }) as ConnectorResources,
    );
    expect(await withRulesBucket(['publish', 'f.json'], deployed)).toEqual([
      'publish',
      'f.json',
      '--bucket',
      'rules-bucket',
      '--key',
      'rules.json',
    ]);
    expect(await withRulesBucket(['publish', 'f.json', '--key', 'k'], deployed)).toEqual([
      'publish',
      'f.json',
      '--key',
      'k',
      '--bucket',
      'rules-bucket',
    ]);
    expect(await withRulesBucket(['publish', 'f.json', '--bucket', 'b'], deployed)).toEqual([
      'publish',
      'f.json',
      '--bucket',
      'b',
    ]);
    expect(await withRulesBucket(['check', 'f.json'], deployed)).toEqual(['check', 'f.json']);
    expect(deployed.looked()).toBe(2);
  });

  it('finds the rules bucket for publish without --bucket (exit 1 when it cannot)', async () => {
    const e = env();
    expect(await main(['rules', 'publish', 'rules.json'], e)).toBe(1);
    expect(e.looked()).toBe(1);
    expect(e.err.text).toContain('no resources in this test');
  });
});

describe('output', () => {
  const result = {
    code: 1 as const,
    data: { a: 1 },
    lines: ['line one', 'line two'],
    problems: ['it went wrong'],
  };

  it('prints the lines, or one JSON document, and problems to stderr in both modes', () => {
    const out = new Capture();
    const err = new Capture();
    render(result, false, out, err);
    expect(out.text).toBe('line one\nline two\n');
    expect(err.text).toBe('connector: it went wrong\n');
    const jsonOut = new Capture();
    render(result, true, jsonOut, new Capture());
    expect(JSON.parse(jsonOut.text)).toEqual({ a: 1 });
  });

  it('aligns tables and words durations', () => {
    expect(
      table(
        ['ID', 'N'],
        [
          ['a', '1'],
          ['long-id', '22'],
        ],
      ),
    ).toEqual(['ID       N', 'a        1', 'long-id  22']);
    expect([duration(5), duration(200), duration(7500), duration(undefined)]).toEqual([
      '5s',
      '3m 20s',
      '2h 5m',
      'n/a',
    ]);
  });

  it('draws progress only on a TTY and not with --json', () => {
    const tty = Object.assign(new Capture(), { isTTY: true });
    const p = terminalProgress(tty, true);
    p.step('reading');
    p.done();
    expect(tty.text).toContain('reading');
    const pipe = new Capture();
    terminalProgress(pipe, true).step('reading');
    const json = Object.assign(new Capture(), { isTTY: true });
    terminalProgress(json, false).step('reading');
    expect(pipe.text + json.text).toBe('');
  });
});

/** A CloudFormation client that answers from fixed stacks; ListStackResources in two pages. */
function fakeCloudFormation(
  stacks: Partial<Record<string, Record<string, string>>>,
  alarms: string[][] = [['alarm-a'], ['alarm-b']],
): SendingClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async send(command) {
      if (command instanceof DescribeStacksCommand) {
        const name = command.input.StackName ?? '';
        calls.push(`describe ${name}`);
        const outputs = stacks[name];
        if (outputs === undefined)
          throw Object.assign(new Error(`Stack with id ${name} does not exist`), {
            name: 'ValidationError',
          });
        return {
          Stacks: [
            {
              StackName: name,
              Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
                OutputKey,
                OutputValue,
              })),
            },
          ],
        };
      }
      if (command instanceof ListStackResourcesCommand) {
        const page = command.input.NextToken === undefined ? 0 : Number(command.input.NextToken);
        calls.push(`list ${command.input.StackName} ${page}`);
        const summaries = (alarms[page] ?? []).map((name) => ({
          ResourceType: 'AWS::CloudWatch::Alarm',
          PhysicalResourceId: name,
        }));
        summaries.push({ ResourceType: 'AWS::Lambda::Function', PhysicalResourceId: `fn-${page}` });
        return {
          StackResourceSummaries: summaries,
          ...(page + 1 < alarms.length ? { NextToken: String(page + 1) } : {}),
        };
      }
      throw new Error('unexpected command');
    },
  };
}

const S = STACK_OUTPUTS.state;
const A = STACK_OUTPUTS.app;
const STATE_OUTPUTS = {
  [S.tableName]: 'offers',
  [S.queueUrl]: 'https://sqs/q',
  [S.queueArn]: 'arn:q',
  [S.deadLetterQueueUrl]: 'https://sqs/dlq',
  [S.deadLetterQueueArn]: 'arn:dlq',
  [S.credentialsSecretArn]: 'arn:secret',
  [S.rulesBucketName]: 'rules-bucket',
  [S.rulesObjectKey]: 'rules.json',
};
const APP_OUTPUTS = {
  [A.endpointUrl]: 'https://api.example/prod/sns',
  [A.role]: 'supply',
  [A.marketplaceBaseUrl]: 'https://api.alayamarket.example',
};

describe('CloudFormation discovery', () => {
  it('builds the resources from both stacks and the app stack alarms over every page', async () => {
    const cfn = fakeCloudFormation({
      [STACK_IDS.state]: STATE_OUTPUTS,
      [STACK_IDS.app]: APP_OUTPUTS,
    });
    const resources = await resourcesFromStacks(cfn, 'ca-central-1');
    expect(resources).toEqual({
      source: 'aws',
      region: 'ca-central-1',
      tableName: 'offers',
      queueUrl: 'https://sqs/q',
      queueArn: 'arn:q',
      dlqUrl: 'https://sqs/dlq',
      dlqArn: 'arn:dlq',
      endpointUrl: 'https://api.example/prod/sns',
      role: 'supply',
      rules: { bucket: 'rules-bucket', key: 'rules.json' },
      marketplace: {
        baseUrl: 'https://api.alayamarket.example',
        login: { secretArn: 'arn:secret' },
      },
      alarmNames: ['alarm-a', 'alarm-b'],
    });
    expect(cfn.calls).toEqual([
      `describe ${STACK_IDS.state}`,
      `describe ${STACK_IDS.app}`,
      `list ${STACK_IDS.app} 0`,
      `list ${STACK_IDS.app} 1`,
    ]);
  });

  it('says which stack is missing, and exits 1 through main', async () => {
    const cfn = fakeCloudFormation({ [STACK_IDS.state]: STATE_OUTPUTS });
    await expect(resourcesFromStacks(cfn, 'ca-central-1')).rejects.toThrow(
      `stack ${STACK_IDS.app} not found in ca-central-1`,
    );
    const e = env(() => resourcesFromStacks(cfn, 'ca-central-1'));
    expect(await main(['status'], e)).toBe(1);
    expect(e.err.text).toContain(
      `connector status: stack ${STACK_IDS.app} not found in ca-central-1: deploy it`,
    );
  });

  it('names a missing output (a stack from an older version)', async () => {
    const { [S.deadLetterQueueArn]: _dropped, ...older } = STATE_OUTPUTS;
    const cfn = fakeCloudFormation({ [STACK_IDS.state]: older, [STACK_IDS.app]: APP_OUTPUTS });
    await expect(resourcesFromStacks(cfn, 'ca-central-1')).rejects.toThrow(
      `has no output ${S.deadLetterQueueArn}`,
    );
  });
});

describe('subscription e-mail', () => {
  const resources: ConnectorResources = {
    source: 'aws',
    region: 'ca-central-1',
    tableName: 't',
    queueUrl: 'q',
    queueArn: 'qa',
    dlqUrl: 'd',
    endpointUrl: 'https://api.example/prod/sns',
    role: 'both',
    marketplace: { baseUrl: 'https://m', login: { secretArn: 'arn:secret' } },
  };

  it("names the endpoint and the role's topics with their events", () => {
    const text = subscriptionEmail(resources).join('\n');
    expect(text).toContain('endpoint (protocol https): https://api.example/prod/sns');
    for (const topic of ['inbox-offers', 'inbox-referrals', 'outbox-offers', 'outbox-referrals'])
      expect(text).toContain(`    ${topic}  (`);
    expect(text).toContain('OfferMatched');
  });

  it('puts a placeholder where the shared-secret password goes, and names its secret', () => {
    const text = subscriptionEmail({
      ...resources,
      role: 'supply',
      sharedSecretArn: 'arn:shared',
    }).join('\n');
    expect(text).toContain('https://connector:<password>@api.example/prod/sns');
    expect(text).toContain('arn:shared');
    expect(text).not.toContain('outbox-offers');
  });

  it('gives a function URL endpoint (config ingress function-url) as the https root it is', () => {
    const functionUrl = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.ca-central-1.on.aws/';
    const plain = subscriptionEmail({ ...resources, endpointUrl: functionUrl }).join('\n');
    expect(plain).toContain(`endpoint (protocol https): ${functionUrl}\n`);
    const withSecret = subscriptionEmail({
      ...resources,
      endpointUrl: functionUrl,
      sharedSecretArn: 'arn:shared',
    }).join('\n');
    expect(withSecret).toContain(
      'endpoint (protocol https): https://connector:<password>@abcdefghijklmnopqrstuvwxyz012345.lambda-url.ca-central-1.on.aws/\n',
    );
  });
});
