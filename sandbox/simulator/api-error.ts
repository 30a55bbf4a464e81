/** The simulator's API errors: what the offer book refuses and the HTTP layer answers. */

/** An API error with the HTTP status and the `{message}` body the simulator answers with. */
export class SimulatorApiError extends Error {
  override readonly name = 'SimulatorApiError';
  constructor(
    readonly status: number,
    message: string,
    /** API Gateway's request-validation detail, sent as `description` on a 400. */
    readonly description?: string,
  ) {
    super(message);
  }
}
