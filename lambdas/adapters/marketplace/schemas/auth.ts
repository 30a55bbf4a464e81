/** Auth response schemas (`/auth/v1`). */
import * as v from 'valibot';
import { id, text } from './common';

/** `LoginResponse`: all optional in the spec; the client cannot work without an IdToken. */
export const loginResponseSchema = v.looseObject({
  IdToken: v.pipe(v.string(), v.minLength(1)),
  ExpiresIn: v.optional(v.pipe(v.number(), v.gtValue(0))),
});

/** `CurrentIdentityDetailResponse`: read by the CLI only. */
export const currentIdentitySchema = v.looseObject({
  email: text,
  name: v.optional(text),
  groups: v.array(text),
  organization_id: v.optional(id),
});
export type CurrentIdentity = v.InferOutput<typeof currentIdentitySchema>;
