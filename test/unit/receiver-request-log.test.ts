/**
 * The receiver's per-request log (lambdas/receiver/request-log.ts): the same lines, key for key
 * and in the same order, as the child Logger it replaced; and each request's keys stay with it
 * when requests interleave in one process.
 */
import { connectorLogger } from '../../lambdas/adapters/observability';
import { type RequestLog, requestLog } from '../../lambdas/receiver/request-log';
import { captureOutput, type CapturedOutput } from '../support/sns-fixtures';

let output: CapturedOutput;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

/** A line without its timestamp (two lines are never written in the same millisecond for sure). */
const untimed = (line: Record<string, unknown>): Array<[string, unknown]> =>
  Object.entries(line).filter(([key]) => key !== 'timestamp');

describe('requestLog', () => {
  it('writes what a child logger with the same keys wrote, in the same order', () => {
    const logger = connectorLogger('receiver', { logLevel: 'DEBUG' }, {});
    const write = (log: RequestLog) => {
      log.info('Authentication challenge sent');
      log.appendKeys({ snsMessageId: 'header-id' });
      log.appendKeys({ snsMessageId: 'body-id', snsMessageType: 'Notification' });
      log.debug('Notification enqueued', { sqsMessageId: 'sqs-1' });
      log.appendKeys({ topicArn: 'arn:aws:sns:ca-central-1:111122223333:inbox-offers' });
      log.warn('SNS message rejected', { status: 403, reason: 'topic not allowed' });
      log.error('SNS message not delivered', { status: 503, detail: 'queue send failed' });
    };
    const child = logger.createChild({ persistentKeys: { correlationId: 'req-1' } });
    const send =
      (level: 'debug' | 'info' | 'warn' | 'error') =>
      (message: string, fields?: Record<string, unknown>) => {
        if (fields === undefined) child[level](message);
        else child[level](message, fields);
      };
    write({
      appendKeys: (keys) => {
        child.appendKeys(keys);
      },
      debug: send('debug'),
      info: send('info'),
      warn: send('warn'),
      error: send('error'),
    });
    write(requestLog(logger, { correlationId: 'req-1' }));

    const lines = output.logs();
    expect(lines).toHaveLength(8);
    const [byChild, plain] = [lines.slice(0, 4), lines.slice(4)];
    expect(plain.map(untimed)).toEqual(byChild.map(untimed));
    expect(plain[2]).toEqual(
      expect.objectContaining({
        correlationId: 'req-1',
        snsMessageId: 'body-id',
        snsMessageType: 'Notification',
        topicArn: 'arn:aws:sns:ca-central-1:111122223333:inbox-offers',
        status: 403,
      }),
    );
  });

  it('keeps each request’s keys to its own lines when requests interleave', () => {
    const logger = connectorLogger('receiver', { logLevel: 'INFO' }, {});
    const first = requestLog(logger, { correlationId: 'req-1' });
    const second = requestLog(logger, { correlationId: 'req-2' });
    first.appendKeys({ snsMessageId: 'm-1' });
    second.info('second, before its keys');
    second.appendKeys({ snsMessageId: 'm-2', topicArn: 'arn:2' });
    first.info('first');
    second.info('second');
    logger.info('the shared logger');

    const byMessage = new Map(output.logs().map((line) => [line.message, line]));
    expect(byMessage.get('second, before its keys')).not.toHaveProperty('snsMessageId');
    expect(byMessage.get('first')).toEqual(
      expect.objectContaining({ correlationId: 'req-1', snsMessageId: 'm-1' }),
    );
    expect(byMessage.get('first')).not.toHaveProperty('topicArn');
    expect(byMessage.get('second')).toEqual(
      expect.objectContaining({ correlationId: 'req-2', snsMessageId: 'm-2', topicArn: 'arn:2' }),
    );
    expect(byMessage.get('the shared logger')).not.toHaveProperty('correlationId');
  });

  it('writes nothing below the shared logger’s level', () => {
    const logger = connectorLogger('receiver', { logLevel: 'WARN' }, {});
    const log = requestLog(logger, { correlationId: 'req-1' });
    log.debug('Notification enqueued');
    log.info('Subscription confirmed');
    log.warn('SNS message rejected');
    expect(output.logs().map((line) => line.message)).toEqual(['SNS message rejected']);
  });
});
