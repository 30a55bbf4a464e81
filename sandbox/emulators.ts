/**
 * Embedded AWS stand-ins that speak the real wire protocols, reached through the real AWS SDK
 * clients: dynalite (DynamoDB, in memory: in process for tests, or in a child process) and fauxqs
 * (SQS, as a child process because it is ESM-only). Used by the sandbox and by the integration and e2e tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Credentials and region the emulators accept; never real ones. */
export const EMULATOR_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
} as const;

export interface RunningEmulator {
  endpoint: string;
  /** The child process's id, when it runs in one (the load benchmarks read its CPU time). */
  pid?: number;
  stop(): Promise<void>;
}

/** Starts dynalite on a free loopback port, in memory, in this process (tests: quick to start). */
export async function startDynalite(): Promise<RunningEmulator> {
  // dynalite is CommonJS without types.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite(DYNALITE_OPTIONS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** dynalite's options: tables are ready at once (no simulated CREATING state). */
const DYNALITE_OPTIONS = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };

/** The line a child emulator prints once it listens (the launch scripts below print it). */
const LISTENING = /listening at (http:\/\/[^\s"]+)/i;

/**
 * Starts dynalite in a child process, so its work (parsing, LevelDB in memory) runs on another
 * core than the code calling it: the sandbox and the load benchmarks, where the connector, the
 * simulator and the emulators would otherwise share one thread. It reuses its expression parses
 * (dynalite-expression-cache.ts), for the sandbox's end-to-end tests too; the integration tests'
 * in-process dynalite (test/support/dynalite-table.ts) does not.
 */
export async function startDynaliteProcess(): Promise<RunningEmulator> {
  // The parse cache (dynalite-expression-cache.ts, TypeScript: loaded through tsx) wraps dynalite's
  // expression parsers before dynalite loads them.
  const parsers = ['conditionParser', 'updateParser'].map((name) =>
    JSON.stringify(require.resolve(`dynalite/db/${name}`)),
  );
  const script = [
    `require(${JSON.stringify(require.resolve('tsx/cjs'))});`,
    `const { cacheExpressionParses } = require(${JSON.stringify(require.resolve('./dynalite-expression-cache'))});`,
    ...parsers.map((parser) => `cacheExpressionParses(require(${parser}));`),
    `const server = require(${JSON.stringify(require.resolve('dynalite'))})(${JSON.stringify(DYNALITE_OPTIONS)});`,
    `server.listen(0, '127.0.0.1', () => console.log('listening at http://127.0.0.1:' + server.address().port));`,
  ].join('\n');
  return startChild('dynalite', [process.execPath, '-e', script], process.env);
}

/** fauxqs exports only its ESM entry, so find its files the way Node would find the package. */
function fauxqsFile(file: string): string {
  for (const dir of require.resolve.paths('fauxqs') ?? []) {
    const found = path.join(dir, 'fauxqs', 'dist', file);
    if (existsSync(found)) return found;
  }
  throw new Error('fauxqs is not installed: run npm ci');
}

/**
 * Starts fauxqs as a child process on a free port and waits until it listens. Started through its
 * API rather than its CLI so that it does not log every request (its CLI always does: work for
 * it and for this process, which must drain the pipe).
 */
export async function startFauxqs(): Promise<RunningEmulator> {
  const script = [
    `import { startFauxqs } from ${JSON.stringify(pathToFileURL(fauxqsFile('app.js')).href)};`,
    `const server = await startFauxqs({ logger: false, port: 0, host: '127.0.0.1', defaultRegion: ${JSON.stringify(EMULATOR_AWS.region)} });`,
    `console.log('listening at http://127.0.0.1:' + server.port);`,
  ].join('\n');
  return startChild('fauxqs', [process.execPath, '--input-type=module', '-e', script], process.env);
}

/** Runs `command` and waits for it to print where it listens; stop() ends it. */
async function startChild(
  name: string,
  [executable, ...args]: string[],
  env: NodeJS.ProcessEnv,
): Promise<RunningEmulator> {
  const child: ChildProcess = spawn(executable, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${name} did not start within 15 s:\n${output}`));
    }, 15000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${new URL(match[1]).port}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${String(code)}:\n${output}`));
    });
  });
  // Keep draining its output so the pipe never fills and blocks it.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    endpoint,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    stop: () =>
      new Promise<void>((resolve) => {
        // A child that died of a signal (Ctrl-C reaches the whole process group) has a
        // signalCode and a null exitCode; either means there is no exit event left to wait for.
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
