/**
 * An entry for test/unit/bench-cold-without.test.ts: it builds Valibot schemas at start, as the
 * functions do: the queue envelope's (core/events.ts) and the rules' (core/rules-schema.ts).
 */
import { parseQueuedEvent } from '../../lambdas/core/events';
import { rulesSchema } from '../../lambdas/core/rules-schema';

export const parse = parseQueuedEvent;
export const rules = rulesSchema;
