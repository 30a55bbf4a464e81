#!/usr/bin/env node
// `npx connector <command>`: registers tsx (a devDependency) so the TypeScript CLI runs as is,
// then hands over to cli/connector/main.ts. Usage: npx connector --help.
'use strict';
require('tsx/cjs');
const { main } = require('./connector/main.ts');

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`connector: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
