/**
 * What the functions' bundles carry in place of the AWS SDK's credential providers other than the
 * environment's: SSO, shared config files, a credential process, a web identity token file, a
 * container or instance metadata endpoint (lib/bundling.ts aliases each package to this module).
 *
 * In Lambda the runtime puts the execution role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first link of the SDK's
 * default chain, so none of these providers is ever called. The SDK reaches them through
 * `import()`, and esbuild then keeps every SDK module they share with the clients whole and runs
 * it whole at start; standing them in takes that and their own code out of every bundle (README,
 * Performance). Should a function ever run without those variables, each of these declines as a
 * provider with nothing to offer does, and the chain ends with the SDK's own error ("Could not load
 * credentials from any providers"). The sandbox and the tests run the sources, with the real
 * providers.
 */

/** A provider's refusal that lets the SDK's chain go on to its next link. */
function notBundled(provider: string): Error {
  return Object.assign(
    new Error(
      `${provider}: not in this bundle; a function takes its credentials from the environment`,
    ),
    { name: 'CredentialsProviderError', tryNextLink: true },
  );
}

function declining(provider: string): (init?: unknown) => () => Promise<never> {
  return () => () => Promise.reject(notBundled(provider));
}

// @aws-sdk/credential-provider-sso, -ini, -process, -web-identity and -http.
export const fromSSO = declining('fromSSO');
export const fromIni = declining('fromIni');
export const fromProcess = declining('fromProcess');
export const fromTokenFile = declining('fromTokenFile');
export const fromHttp = declining('fromHttp');

// @smithy/credential-provider-imds: the variables the SDK reads to choose between the two.
export const ENV_CMDS_FULL_URI = 'AWS_CONTAINER_CREDENTIALS_FULL_URI';
export const ENV_CMDS_RELATIVE_URI = 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI';
export const fromContainerMetadata = declining('fromContainerMetadata');
export const fromInstanceMetadata = declining('fromInstanceMetadata');
