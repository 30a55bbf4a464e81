/**
 * The sandbox's certificate and confirmation transport for the receiver: an `HttpGet` that sends
 * `https://sns.<region>.amazonaws.com/<path>?<query>` to the simulator's local SNS server and
 * refuses every other URL. The receiver's verification is unchanged (it still checks the URL and
 * the signature); only where the bytes come from differs, chosen here at the sandbox's own
 * composition root. The deployed receiver has no such seam.
 */
import { createHttpGet, MAX_HTTP_GET_BODY_BYTES } from '../lambdas/adapters/http-get';
import type { HttpGet } from '../lambdas/core/ports';

export class SnsRoutingRefusedError extends Error {
  override readonly name = 'SnsRoutingRefusedError';
}

export interface SnsRoutingOptions {
  /** The simulator's local SNS server, e.g. `http://127.0.0.1:40124`. */
  localUrl: string;
  /** The SNS regions the simulator serves (e.g. `ca-central-1`); other regions are refused. */
  regions: readonly string[];
  /** Largest response body accepted (default 64 KiB: a certificate is about 1-2 KiB). */
  maxBytes?: number;
}

/** Builds the routing HttpGet; it rejects, without any request, for a URL it does not route. */
export function createSnsRoutingHttpGet(options: SnsRoutingOptions): HttpGet {
  const hosts = new Set(options.regions.map((region) => `sns.${region}.amazonaws.com`));
  // The receiver's own GET (no redirects, the body capped), pointed at the stand-in.
  const send = createHttpGet(options.maxBytes ?? MAX_HTTP_GET_BODY_BYTES);
  const local = new URL(options.localUrl);
  if (local.hostname !== '127.0.0.1' && local.hostname !== 'localhost') {
    throw new SnsRoutingRefusedError('the SNS stand-in must be on loopback');
  }

  return async (url, timing) => send(localTarget(url, hosts, local), timing);
}

function localTarget(url: string, hosts: ReadonlySet<string>, local: URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SnsRoutingRefusedError('not a URL');
  }
  if (
    parsed.protocol !== 'https:' ||
    parsed.username ||
    parsed.password ||
    parsed.port ||
    !hosts.has(parsed.hostname)
  ) {
    // Only the host is named: the URL's query may carry a subscription token.
    throw new SnsRoutingRefusedError(
      `refusing to fetch from ${parsed.protocol}//${parsed.host}: only the simulated SNS endpoint is reachable`,
    );
  }
  return `${local.origin}${parsed.pathname}${parsed.search}`;
}
