/**
 * Recording fakes of the SDK clients the worker and reconciler build on first use (SQS, SNS,
 * EventBridge: adapters/deferred-*.ts), put in place with jest.doMock: the real package with its
 * client class replaced by one that counts its builds, records each command and gives a set
 * answer. A build can be made to fail, as a client refusing its configuration would. Call
 * `fakeDeferredSdkPackages` after `jest.resetModules()` and before requiring the code under test;
 * `restoreDeferredSdkPackages` after the test.
 */

/** What one faked client saw, and how it answers. */
export interface FakePackage {
  /** Clients built (constructor calls, failed ones included). */
  built: number;
  /** Builds that throw before one succeeds. */
  failingBuilds: number;
  sent: Array<{ command: string; input: unknown }>;
  answer: unknown;
}

export type FakePackages = Record<'sqs' | 'sns' | 'eventbridge', FakePackage>;

const PACKAGES: ReadonlyArray<{ key: keyof FakePackages; name: string; client: string }> = [
  { key: 'sqs', name: '@aws-sdk/client-sqs', client: 'SQSClient' },
  { key: 'sns', name: '@aws-sdk/client-sns', client: 'SNSClient' },
  { key: 'eventbridge', name: '@aws-sdk/client-eventbridge', client: 'EventBridgeClient' },
];

/** The real package with its client class replaced by one that counts, records and answers. */
function fakePackage(name: string, clientName: string, state: FakePackage) {
  return () => {
    const actual = jest.requireActual<Record<string, unknown>>(name);
    class FakeClient {
      constructor() {
        state.built += 1;
        if (state.failingBuilds > 0) {
          state.failingBuilds -= 1;
          throw new Error(`${clientName}: Region is missing`);
        }
      }

      async send(command: { input: unknown }): Promise<unknown> {
        state.sent.push({ command: command.constructor.name, input: command.input });
        return state.answer;
      }
    }
    return { ...actual, [clientName]: FakeClient };
  };
}

/** Puts the fakes in place, each answering as the service does to a successful call. */
export function fakeDeferredSdkPackages(): FakePackages {
  const fake = (answer: unknown): FakePackage => ({ built: 0, failingBuilds: 0, sent: [], answer });
  const fakes: FakePackages = {
    sqs: fake({ MessageId: 'm-1' }),
    sns: fake({ MessageId: 'n-1' }),
    eventbridge: fake({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }),
  };
  for (const { key, name, client } of PACKAGES)
    jest.doMock(name, fakePackage(name, client, fakes[key]));
  return fakes;
}

export function restoreDeferredSdkPackages(): void {
  for (const { name } of PACKAGES) jest.dontMock(name);
}
