// The SDK's notice that Node 20 support ends in 2027 is noise here: Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Four layers, each runnable alone: `npm test -- --selectProjects unit` (see package.json scripts). */
// tsconfig's isolatedModules makes ts-jest transpile each file alone: type checking is `tsc --noEmit`,
// once for the whole tree, which `npm test` runs first (per-file type checks tripled the time and
// the jest parent's memory).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const project = (name) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': tsJest },
  setupFilesAfterEnv: ['<rootDir>/test/support/jest-timeouts.ts'],
});

module.exports = {
  projects: [project('unit'), project('integration'), project('infra'), project('e2e')],
};
