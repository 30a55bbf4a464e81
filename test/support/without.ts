/** A copy of `record` without the field `key`: how a test drops a field that a message must have. */
export function without(record: object, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = record as Record<string, unknown>;
  return rest;
}
