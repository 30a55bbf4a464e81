/**
 * The marketplace API's request bodies, read as API Gateway's body validator answers: a body
 * that is not a JSON object, or lacks a required field, is a 400 `Invalid request body` with the
 * detail in `description`.
 */
import { SimulatorApiError } from './api-error';
import { isOneOf, REASON_CODES, type ReasonCode } from './model';

export type JsonObject = Record<string, unknown>;

export const invalidBody = (detail: string) =>
  new SimulatorApiError(400, 'Invalid request body', detail);

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a JSON object body. An empty body is `undefined` (a 400 when `required`); anything that
 * is not a JSON object is a 400.
 */
export function parseJsonObject(raw: Buffer, required: boolean): JsonObject | undefined {
  const text = raw.toString('utf8');
  if (text.trim() === '') {
    if (required) throw invalidBody('[a JSON object body is required]');
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidBody('[body is not valid JSON]');
  }
  if (!isObject(parsed)) throw invalidBody('[body must be a JSON object]');
  return parsed;
}

/** The body, which the route requires. */
export async function requiredBody(
  body: () => Promise<JsonObject | undefined>,
): Promise<JsonObject> {
  const value = await body();
  if (value === undefined) throw invalidBody('[a JSON object body is required]');
  return value;
}

export function objectAt(body: JsonObject, key: string): JsonObject {
  const value = body[key];
  if (!isObject(value)) throw invalidBody(`[object has missing required properties (["${key}"])]`);
  return value;
}

/** The fields named that are present, each of which must be a string. */
export function optionalStrings(
  body: JsonObject,
  fields: string[],
): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  for (const field of fields) {
    const value = body[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw invalidBody(`[${field} must be a string]`);
    out[field] = value;
  }
  return out;
}

/** `{reason_code}` when given and one of the enum's values; `{}` when not given. */
export function reasonCode(value: string | undefined): { reason_code?: ReasonCode } {
  if (value === undefined) return {};
  if (!isOneOf(value, REASON_CODES))
    throw invalidBody(`[reason_code must be one of ${REASON_CODES.join(', ')}]`);
  return { reason_code: value };
}
