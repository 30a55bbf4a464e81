/**
 * Runs `npm start` (sandbox/start.ts) as a child process from the project root, as a user would,
 * for the e2e tests; and the simulated health-data names no output may show.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SIMULATED_PHI } from '../../sandbox/scenario';

const ROOT = path.join(__dirname, '..', '..');

export const PHI_NAMES = [...SIMULATED_PHI.allergies, ...SIMULATED_PHI.risks].map(
  (item) => item.name,
);

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npx <args>` from the project root, resolved with its exit code and whole output. */
export function runNpx(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', [...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** `npx tsx sandbox/start.ts <args>`, resolved with its exit code and whole output. */
export const runSandboxCli = (args: readonly string[]): Promise<CliRun> =>
  runNpx(['tsx', 'sandbox/start.ts', ...args]);
