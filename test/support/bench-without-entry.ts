/**
 * An entry for test/unit/bench-cold-without.test.ts: it builds zod schemas at start, as the
 * functions do (the queue envelope's, core/events.ts), and hands back the parser that uses them.
 */
import { parseQueuedEvent } from '../../lambdas/core/events';

export const parse = parseQueuedEvent;
