/**
 * An entry for test/unit/bench-cold-without.test.ts: it builds zod schemas at start, as the
 * functions do, through both ways they import zod: `zod/mini` itself (the queue envelope's,
 * core/events.ts) and core/zod.ts's `export *` of it with `zod/locales` (the rules', rules-schema.ts).
 */
import { parseQueuedEvent } from '../../lambdas/core/events';
import { rulesSchema } from '../../lambdas/core/rules-schema';

export const parse = parseQueuedEvent;
export const rules = rulesSchema;
