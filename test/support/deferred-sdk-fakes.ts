/**
 * Recording fakes of the SDK client packages the worker and reconciler load on first use (SQS, SNS,
 * EventBridge), put in place with jest.doMock so a test sees when each package is loaded: the real
 * package with its client class replaced by one that records each command and gives a set answer.
 * A load can be made to fail, as a missing or broken module would. Call `fakeDeferredSdkPackages`
 * after `jest.resetModules()` and before requiring the code under test; `restoreDeferredSdkPackages`
 * after the test.
 */
import { countModuleLoads, type ModuleLoads } from './counted-module';

/** What one faked package saw, and how it answers. */
export interface FakePackage extends ModuleLoads {
  sent: Array<{ command: string; input: unknown }>;
  answer: unknown;
}

export type FakePackages = Record<'sqs' | 'sns' | 'eventbridge', FakePackage>;

const PACKAGES: ReadonlyArray<{ key: keyof FakePackages; name: string; client: string }> = [
  { key: 'sqs', name: '@aws-sdk/client-sqs', client: 'SQSClient' },
  { key: 'sns', name: '@aws-sdk/client-sns', client: 'SNSClient' },
  { key: 'eventbridge', name: '@aws-sdk/client-eventbridge', client: 'EventBridgeClient' },
];

/** The real package with its client class replaced by one that records and answers. */
function fakePackage(name: string, clientName: string, state: FakePackage) {
  return () => {
    const actual = jest.requireActual<Record<string, unknown>>(name);
    class FakeClient {
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
  const fake = (answer: unknown): FakePackage => ({ loads: 0, failingLoads: 0, sent: [], answer });
  const fakes: FakePackages = {
    sqs: fake({ MessageId: 'm-1' }),
    sns: fake({ MessageId: 'n-1' }),
    eventbridge: fake({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }),
  };
  for (const { key, name, client } of PACKAGES)
    countModuleLoads(name, fakes[key], fakePackage(name, client, fakes[key]));
  return fakes;
}

export function restoreDeferredSdkPackages(): void {
  for (const { name } of PACKAGES) jest.dontMock(name);
}
