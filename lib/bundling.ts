import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The functions' runtime: the newest Node.js that aws-cdk-lib knows (cdk-nag's
 * Serverless-LambdaLatestVersion checks exactly that). Move CONNECTOR_BUNDLING.target with it.
 */
export const CONNECTOR_RUNTIME = Runtime.NODEJS_24_X;

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
  forceDockerBundling: false,
} as const satisfies BundlingOptions;

/** The functions' NODE_OPTIONS: source-mapped stack traces. */
export const CONNECTOR_NODE_OPTIONS = '--enable-source-maps';
