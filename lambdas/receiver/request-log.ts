/**
 * The receiver's log for one request: the shared Logger's lines, each with this request's keys
 * (its correlationId, then what the request shows: snsMessageId, snsMessageType, topicArn).
 *
 * A plain object per request rather than `logger.createChild()`: a child is a whole new Logger
 * (options merged, a Console built, the environment read again), the receiver's largest cost of
 * its own per request (about 5% of the sandbox process's CPU under load, in the profiles), while
 * all the keys need is to stay with their request: requests handled at once in one process (the
 * sandbox, the load benchmarks) each keep their own, as with a child. The lines are the same:
 * Powertools writes a child's persistent keys, then its appended ones, then the call's fields; here
 * the request's keys in the order they were added, then the call's fields.
 */
import type { Logger } from '@aws-lambda-powertools/logger';

export type LogFields = Record<string, unknown>;

export interface RequestLog {
  /** Keys for every later line of this request (a key added again keeps its place, takes the new value). */
  appendKeys(keys: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function requestLog(logger: Logger, keys: LogFields): RequestLog {
  const own: LogFields = { ...keys };
  const withKeys = (fields: LogFields | undefined): LogFields => ({ ...own, ...fields });
  return {
    appendKeys: (more) => {
      Object.assign(own, more);
    },
    debug: (message, fields) => {
      logger.debug(message, withKeys(fields));
    },
    info: (message, fields) => {
      logger.info(message, withKeys(fields));
    },
    warn: (message, fields) => {
      logger.warn(message, withKeys(fields));
    },
    error: (message, fields) => {
      logger.error(message, withKeys(fields));
    },
  };
}
