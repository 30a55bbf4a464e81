/**
 * The load benchmarks' worker memory line (bench/load/worker-memory.ts): the tracker keeps the
 * heap's peak while memory is held, the RSS peak is the kernel's high-water mark, and the line
 * says what the figures are (an upper bound for one Lambda environment, with the invocations the
 * process ran at once).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { memoryLine, trackMemory, type MemoryPeak } from '../../bench/load/worker-memory';

/**
 * A full collection, so a baseline counts live memory only: garbage left by earlier tests in the
 * same worker would otherwise sit in it, and a collection during the test could take the heap
 * below it.
 */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('trackMemory', () => {
  it('reports a heap peak that includes memory held until it stops', () => {
    collectGarbage();
    const before = trackMemory().stop();
    const tracker = trackMemory();
    // About 32 MB of heap (4 M doubles), alive until stop() has sampled.
    const held = Array.from({ length: 4 * 1024 * 1024 }, (_, i) => i + 0.5);
    const peak = tracker.stop();
    expect(held.length).toBeGreaterThan(0);
    expect(peak.heapUsedMb).toBeGreaterThan(before.heapUsedMb + 20);
    expect(peak.heapTotalMb).toBeGreaterThanOrEqual(peak.heapUsedMb);
  });

  it('takes the RSS peak from the kernel: memory touched after tracking began raises it', () => {
    const tracker = trackMemory();
    // 64 MB outside the heap, every page written so the kernel counts it resident.
    const touched = Buffer.alloc(64 * 1024 * 1024, 1);
    const peak = tracker.stop();
    expect(touched.length).toBeGreaterThan(0);
    expect(peak.rssMb).toBeGreaterThan(peak.loadedRssMb + 50);
  });
});

describe('memoryLine', () => {
  const peak: MemoryPeak = { rssMb: 137.6, loadedRssMb: 97.2, heapUsedMb: 44.4, heapTotalMb: 67 };

  it('gives whole MB and the invocations the process ran at once', () => {
    expect(memoryLine(peak, 5)).toMatch(
      /^worker memory: peak RSS 138 MB \(97 MB loaded, before the first invocation\), peak heap used 44 MB of 67 MB, with 5 concurrent invocation\(s\) in one process/,
    );
  });

  it('says the figure is an upper bound for one Lambda environment', () => {
    expect(memoryLine(peak, 1)).toContain('an upper bound for one Lambda environment');
  });
});
