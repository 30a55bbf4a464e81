/**
 * The load benchmarks' CPU line: CPU per offer over the published offers, and a warning when some
 * were never answered (their work was not all done in the run, so the figure is too low).
 */
import { cpus } from 'node:os';
import { cpuLine } from '../../bench/load/report';

const run = {
  cpuS: 4,
  childCpuS: 16,
  childCpuByName: { workers: 9, dynalite: 6, fauxqs: 1 },
  published: 1000,
};

it('gives the CPU per published offer, per process, and the rate the cores are full at', () => {
  const line = cpuLine(run);
  expect(line).toContain('CPU 4.0 s in this process (simulator, receiver) + 16.0 s');
  expect(line).toContain('(workers 9.0, dynalite 6.0, fauxqs 1.0)');
  expect(line).toContain('= 20.0 ms per offer:');
  expect(line).toContain(`~${Math.round((cpus().length * 1000) / 20)} offers/s`);
  expect(line).not.toContain('understated');
  expect(cpuLine({ ...run, lost: 0 })).not.toContain('understated');
});

it('says the figure is understated when offers went unanswered', () => {
  expect(cpuLine({ ...run, lost: 12 })).toContain(
    '20.0 ms per offer (understated: 12 offer(s) unanswered, their work not all done)',
  );
});
