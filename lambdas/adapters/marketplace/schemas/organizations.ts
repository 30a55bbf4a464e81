/** Organization schemas (`/organizations/v1`). */
import * as z from '../../../core/zod';
import { text, TOPICS } from './common';

export const subscribeResponseSchema = z.looseObject({
  subscriptions: z.array(
    z.looseObject({
      topic: z.enum(TOPICS),
      protocol: z.enum(['https', 'email']),
      endpoint: text,
      subscription_arn: text,
    }),
  ),
});
export type SubscribeResponse = z.infer<typeof subscribeResponseSchema>;
