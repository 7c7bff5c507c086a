import { hasLargePages, LARGE_PAGE_OBJECTS, slowHeapGrowth } from '../../src/pipeline/heap';

describe('the heap settings for large pages', () => {
  it('takes a collection as one of large pages when any source asks for them', () => {
    expect(hasLargePages([1000, LARGE_PAGE_OBJECTS - 1])).toBe(false);
    expect(hasLargePages([])).toBe(false);
    expect(hasLargePages([1000, 10_000])).toBe(true);
    expect(hasLargePages([LARGE_PAGE_OBJECTS])).toBe(true);
  });

  it('sets the heap growth when node was given none', () => {
    expect(slowHeapGrowth({ execArgv: ['--max-old-space-size=512'], options: undefined })).toBe(true);
  });

  it.each([
    ['a node flag', { execArgv: ['--heap-growing-percent=50'], options: undefined }],
    ['NODE_OPTIONS', { execArgv: [], options: '--max-old-space-size=512 --heap-growing-percent=50' }],
  ])('leaves a growth given by %s alone', (_how, node) => {
    expect(slowHeapGrowth(node)).toBe(false);
  });
});
