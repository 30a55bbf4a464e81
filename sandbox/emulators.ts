/**
 * Embedded AWS stand-ins that speak the real wire protocols, reached through the real AWS SDK
 * clients: dynalite (DynamoDB, in process, in memory) and fauxqs (SQS, as a child process because
 * it is ESM-only). Used by the sandbox and by the integration and e2e tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { existsSync } from 'node:fs';

/** Credentials and region the emulators accept; never real ones. */
export const EMULATOR_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
} as const;

export interface RunningEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts dynalite on a free loopback port, in memory. */
export async function startDynalite(): Promise<RunningEmulator> {
  // dynalite is CommonJS without types.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** fauxqs exports only its ESM entry, so find its CLI file the way Node would find the package. */
function fauxqsCli(): string {
  for (const dir of require.resolve.paths('fauxqs') ?? []) {
    const cli = path.join(dir, 'fauxqs', 'dist', 'cli.js');
    if (existsSync(cli)) return cli;
  }
  throw new Error('fauxqs is not installed: run npm ci');
}

/** Starts fauxqs as a child process on a free port and waits until it listens. */
export async function startFauxqs(): Promise<RunningEmulator> {
  const cli = fauxqsCli();
  const child: ChildProcess = spawn(process.execPath, [cli], {
    env: {
      ...process.env,
      FAUXQS_PORT: '0',
      FAUXQS_HOST: '127.0.0.1',
      FAUXQS_DEFAULT_REGION: EMULATOR_AWS.region,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`fauxqs did not start within 15 s:\n${output}`)),
      15000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening at (http:\/\/[^\s"]+)/i.exec(output);
      if (match) {
        clearTimeout(timer);
        const port = new URL(match[1]).port;
        resolve(`http://127.0.0.1:${port}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fauxqs exited with code ${code}:\n${output}`));
    });
  });
  // Keep draining its request log so the pipe never fills and blocks it.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        // A child that died of a signal (Ctrl-C reaches the whole process group) has a
        // signalCode and a null exitCode; either means there is no exit event left to wait for.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
