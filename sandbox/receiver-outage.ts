/**
 * The receiver's outage, for the outage drill: a switch in front of the receiver's handler, as
 * API Gateway in front of a failing integration would answer. While it is on, every request is
 * answered 503 without reaching the receiver, so SNS retries and, after its last retry, gives the
 * message up. The switch counts what it refused; SNS's own attempts are counted by the simulator.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ProxyHandler } from './local-api';

export interface ReceiverOutage {
  /** The handler to serve: `handler` itself, or a 503 while the outage is on. */
  wrap(handler: ProxyHandler): ProxyHandler;
  /** The receiver goes down: requests from now on are answered 503. */
  begin(): void;
  /** The receiver comes back. */
  end(): void;
  readonly down: boolean;
  /** Requests answered 503 so far. */
  readonly refused: number;
}

const UNAVAILABLE: APIGatewayProxyResult = {
  statusCode: 503,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'Service Unavailable' }),
};

export function createReceiverOutage(): ReceiverOutage {
  let down = false;
  let refused = 0;
  return {
    wrap: (handler) => async (event) => {
      if (!down) return handler(event);
      refused += 1;
      return { ...UNAVAILABLE, headers: { ...UNAVAILABLE.headers } };
    },
    begin() {
      down = true;
    },
    end() {
      down = false;
    },
    get down() {
      return down;
    },
    get refused() {
      return refused;
    },
  };
}
