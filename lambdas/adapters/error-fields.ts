/**
 * Log fields for an error: name, message and (for marketplace API errors) operation and status,
 * never a payload. Read field by field, so errors from another realm (not `instanceof Error`) are
 * described too. Messages of the connector's own errors are written to hold no client data.
 */
export function describeError(error: unknown): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return { errorName: 'NonError' };
  const { name, message, operation, status } = error as {
    name?: unknown;
    message?: unknown;
    operation?: unknown;
    status?: unknown;
  };
  const described: Record<string, unknown> = {
    errorName: typeof name === 'string' ? name : 'Error',
  };
  if (typeof message === 'string') described.errorMessage = message;
  if (typeof operation === 'string') described.operation = operation;
  if (typeof status === 'number') described.status = status;
  return described;
}
