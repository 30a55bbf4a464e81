import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The functions' runtime: the newest Node.js that aws-cdk-lib knows (cdk-nag's
 * Serverless-LambdaLatestVersion checks exactly that). Move CONNECTOR_BUNDLING.target with it.
 */
export const CONNECTOR_RUNTIME = Runtime.NODEJS_24_X;

/**
 * The credential providers of the AWS SDK's default chain after the environment's. Each is bundled
 * as lambdas/adapters/environment-credentials-only.ts (esbuild's `--alias`), which declines: in
 * Lambda the environment, the chain's first link, always holds the execution role's credentials.
 * The SDK reaches these through `import()`, which made esbuild keep its shared modules whole and
 * run them whole at start; without them every function starts with about an eighth fewer
 * instructions and its bundle is 110 to 130 KB smaller (README, Performance).
 */
export const STOOD_IN_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
] as const;

/** The stand-in, relative to the project root (esbuild resolves an alias from its working directory). */
export const CREDENTIALS_STAND_IN = './lambdas/adapters/environment-credentials-only.ts';

/**
 * How every connector function is bundled (esbuild, run locally by `NodejsFunction`) and the
 * NODE_OPTIONS it is deployed with: one definition, read by lib/connector-function.ts and by the
 * cold-start bench (bench/cold.ts), which builds its floor bundles with exactly these options.
 */
export const CONNECTOR_BUNDLING = {
  minify: true,
  sourceMap: true,
  // Stack traces need the mappings, not the original sources; this keeps the zip small.
  sourcesContent: false,
  target: 'node24',
  format: OutputFormat.CJS,
  // The ES module build of each package where it has one (the AWS SDK, Smithy, Powertools), so
  // esbuild keeps only what the function uses; their CommonJS builds bundle whole. Start-up
  // instructions about a quarter fewer, bundles about a quarter smaller (README, Performance).
  mainFields: ['module', 'main'],
  // Bundle AWS SDK v3 too, so the deployed clients are the versions pinned in
  // package-lock.json and tested here, not whatever the runtime image ships this month.
  bundleAwsSDK: true,
  esbuildArgs: {
    '--alias': STOOD_IN_CREDENTIAL_PROVIDERS.map((pkg) => `${pkg}=${CREDENTIALS_STAND_IN}`),
  },
  forceDockerBundling: false,
} as const satisfies BundlingOptions;

/** The functions' NODE_OPTIONS: source-mapped stack traces. */
export const CONNECTOR_NODE_OPTIONS = '--enable-source-maps';
