/** Auth response schemas (`/auth/v1`). */
import * as z from 'zod';
import { id, text } from './common';

/** `LoginResponse`: all optional in the spec; the client cannot work without an IdToken. */
export const loginResponseSchema = z.looseObject({
  IdToken: z.string().min(1),
  ExpiresIn: z.number().positive().optional(),
});

/** `CurrentIdentityDetailResponse`. */
export const currentIdentitySchema = z.looseObject({
  email: text,
  name: text.optional(),
  groups: z.array(text),
  organization_id: id.optional(),
});
export type CurrentIdentity = z.infer<typeof currentIdentitySchema>;
