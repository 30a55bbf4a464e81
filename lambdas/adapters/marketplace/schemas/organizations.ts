/** Organization schemas (`/organizations/v1`). */
import * as v from 'valibot';
import { text, TOPICS } from './common';

export const subscribeResponseSchema = v.looseObject({
  subscriptions: v.array(
    v.looseObject({
      topic: v.picklist(TOPICS),
      protocol: v.picklist(['https', 'email']),
      endpoint: text,
      subscription_arn: text,
    }),
  ),
});
export type SubscribeResponse = v.InferOutput<typeof subscribeResponseSchema>;
