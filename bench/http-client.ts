/**
 * The functions' HTTP client (lambdas/adapters/http-request.ts, node:http) against Node's fetch,
 * which the marketplace client and the receiver's certificate download used before. Two figures:
 *
 * - CPU per request, warm: this process's user + system CPU over a run of `--requests` (default
 *   3000) sequential POSTs with a small JSON body to a loopback server in a child process (its CPU
 *   not counted), after 500 each to warm the JIT; the two take turns, each going first in every
 *   other round, `--rounds` times (default 5), and the median is kept.
 * - The first request of a fresh process: a new Node process sends one GET and reports the time
 *   from the call to the body read, which for fetch includes loading it (undici loads on first
 *   use). http-request.ts is loaded before the clock starts, as a function loads it at init with
 *   the AWS SDK, which loads node:http and node:https anyway. `--fresh` processes each (default
 *   9), interleaved, median kept.
 *
 * `http: fetch=<us>us node-http=<us>us first-fetch=<ms>ms first-node-http=<ms>ms`
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { httpRequest } from '../lambdas/adapters/http-request';
import { BenchmarkError, optionPairs, percentile } from './load/stats';

export const description =
  "The functions' node:http client against fetch: CPU per warm request, and a fresh process's first request";

const SERVER = `
const s = require('node:http').createServer((q, r) => {
  q.resume();
  q.on('end', () => r.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"0b5d","status":"pending"}'));
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

type Send = (url: string) => Promise<string>;

const BODY = JSON.stringify({ reason: 'bench' });
const HEADERS = {
  Accept: 'application/json',
  'Content-Type': 'application/json',
  Authorization: 't',
};

const viaFetch: Send = async (url) =>
  (await fetch(url, { method: 'POST', headers: HEADERS, body: BODY })).text();
const viaNodeHttp: Send = async (url) =>
  (await httpRequest(url, { method: 'POST', headers: HEADERS, body: BODY })).text();

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(
        new BenchmarkError(`the loopback server exited (code ${String(code)}) before listening`),
      );
    });
    child.stdout.once('data', (chunk: Buffer) => {
      resolve(chunk.toString().trim());
    });
  });
  return { url: `http://127.0.0.1:${port}/inbox/offers/1/accept`, child };
}

/** Microseconds of this process's CPU per request over `count` sequential requests. */
async function cpuPerRequest(send: Send, url: string, count: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i += 1) await send(url);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

/** Milliseconds from the call to the body read, in a fresh Node process (tsx for ours). */
function firstRequestMs(kind: 'fetch' | 'node-http', url: string): number {
  const module = join(__dirname, '..', 'lambdas', 'adapters', 'http-request.ts');
  const script =
    kind === 'fetch'
      ? `(async () => { const t = performance.now(); await (await fetch(${JSON.stringify(url)})).text(); console.log(performance.now() - t); })()`
      : `(async () => { const { httpRequest } = require(${JSON.stringify(module)}); const t = performance.now(); await (await httpRequest(${JSON.stringify(url)}, { method: 'GET' })).text(); console.log(performance.now() - t); })()`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const ms = Number(out.trim());
  if (!Number.isFinite(ms)) throw new BenchmarkError(`a fresh ${kind} process printed "${out}"`);
  return ms;
}

const OPTIONS = { rounds: 5, fresh: 9, requests: 3000 };
type OptionName = keyof typeof OPTIONS;

/** `--rounds N`, `--fresh N`, `--requests N` (each also `--name=N`, a whole number from 1). */
function parseOptions(args: readonly string[]): Record<OptionName, number> {
  const options = { ...OPTIONS };
  const names = Object.keys(OPTIONS);
  for (const { name, value } of optionPairs(args, names, '--rounds N, --fresh N, --requests N')) {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1)
      throw new BenchmarkError(`--${name} takes a whole number of at least 1`);
    options[name as OptionName] = number;
  }
  return options;
}

export async function run(args: readonly string[]): Promise<void> {
  const { rounds, fresh, requests: count } = parseOptions(args);
  const { url, child } = await startServer();
  try {
    const warm = { fetch: [] as number[], 'node-http': [] as number[] };
    for (let i = 0; i < 500; i += 1) {
      await viaFetch(url);
      await viaNodeHttp(url);
    }
    for (let round = 0; round < rounds; round += 1) {
      const order =
        round % 2 === 0 ? (['fetch', 'node-http'] as const) : (['node-http', 'fetch'] as const);
      for (const kind of order)
        warm[kind].push(await cpuPerRequest(kind === 'fetch' ? viaFetch : viaNodeHttp, url, count));
    }
    const first = { fetch: [] as number[], 'node-http': [] as number[] };
    for (let i = 0; i < fresh; i += 1) {
      first.fetch.push(firstRequestMs('fetch', url));
      first['node-http'].push(firstRequestMs('node-http', url));
    }
    const median = (values: number[]) =>
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      );
    console.log(
      `Sequential POSTs to a loopback server in a child process, ${count} per run, ${rounds} runs each, taking turns; first requests in ${fresh} fresh processes each (http-request.ts loaded before the clock starts)`,
    );
    console.log(
      `\n${'client'.padEnd(12)}${'CPU us/request'.padStart(16)}${'first ms'.padStart(12)}`,
    );
    for (const kind of ['fetch', 'node-http'] as const)
      console.log(
        `${kind.padEnd(12)}${median(warm[kind]).toFixed(0).padStart(16)}${median(first[kind]).toFixed(1).padStart(12)}`,
      );
    console.log(
      `\nhttp: fetch=${median(warm.fetch).toFixed(0)}us node-http=${median(warm['node-http']).toFixed(0)}us first-fetch=${median(first.fetch).toFixed(1)}ms first-node-http=${median(first['node-http']).toFixed(1)}ms`,
    );
  } finally {
    child.kill();
  }
}
