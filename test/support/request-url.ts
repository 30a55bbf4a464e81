/**
 * The URL a `fetch` call asks for, whichever form it was given in (a string, a URL or a Request):
 * how a test fetch reads the address without `String(request)` printing "[object Request]".
 */
export function requestUrl(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}
