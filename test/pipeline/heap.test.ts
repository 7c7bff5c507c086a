import { spawnSync } from 'node:child_process';
import { hasLargePages, LARGE_PAGE_OBJECTS, slowHeapGrowth } from '../../src/pipeline/heap';

describe('the heap settings for large pages', () => {
  it('takes a collection as one of large pages when any source asks for them', () => {
    expect(hasLargePages([1000, LARGE_PAGE_OBJECTS - 1])).toBe(false);
    expect(hasLargePages([])).toBe(false);
    expect(hasLargePages([1000, 10_000])).toBe(true);
    expect(hasLargePages([LARGE_PAGE_OBJECTS])).toBe(true);
  });

  it('sets the heap growth when node was given none', () => {
    expect(slowHeapGrowth(['--max-old-space-size=512'])).toBe(true);
  });

  it('leaves a growth given to node alone', () => {
    expect(slowHeapGrowth(['--max-old-space-size=512', '--heap-growing-percent=50'])).toBe(false);
  });

  it('has nothing to look for in NODE_OPTIONS: node refuses the flag there', () => {
    const run = spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: '--heap-growing-percent=50' }, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--heap-growing-percent.* is not allowed in NODE_OPTIONS/);
  });
});
