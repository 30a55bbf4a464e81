import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

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
  target: 'node22',
  format: OutputFormat.CJS,
  // Bundle AWS SDK v3 too, so the deployed clients are the versions pinned in
  // package-lock.json and tested here, not whatever the runtime image ships this month.
  bundleAwsSDK: true,
  forceDockerBundling: false,
} as const satisfies BundlingOptions;

/** The functions' NODE_OPTIONS: source-mapped stack traces. */
export const CONNECTOR_NODE_OPTIONS = '--enable-source-maps';
