/** Auth response schemas (`/auth/v1`). */
import * as z from '../../../core/zod';
import { id, text } from './common';

/** `LoginResponse`: all optional in the spec; the client cannot work without an IdToken. */
export const loginResponseSchema = z.looseObject({
  IdToken: z.string().check(z.minLength(1)),
  ExpiresIn: z.optional(z.number().check(z.positive())),
});

/** `CurrentIdentityDetailResponse`: read by the CLI only, so built on its first parse. */
export const currentIdentitySchema = z.lazy(() =>
  z.looseObject({
    email: text,
    name: z.optional(text),
    groups: z.array(text),
    organization_id: z.optional(id),
  }),
);
export type CurrentIdentity = z.infer<typeof currentIdentitySchema>;
