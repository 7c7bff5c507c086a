import { LARGE_PAGE_HEAP_GROWING_PERCENT, tuneHeapFor } from '../../src/pipeline/heap';
import { LARGE_PAGE_OBJECTS } from '../../src/pipeline/normalizer';

describe('the heap settings for large pages', () => {
  const plainNode = { execArgv: [], options: undefined };

  it('leaves V8 as it is when every source asks for small pages', () => {
    expect(tuneHeapFor([1000, LARGE_PAGE_OBJECTS - 1], plainNode)).toBe(false);
    expect(tuneHeapFor([], plainNode)).toBe(false);
  });

  it('keeps the heap growth low when a source asks for large pages', () => {
    expect(LARGE_PAGE_HEAP_GROWING_PERCENT).toBeGreaterThan(0);
    expect(tuneHeapFor([1000, 10_000], plainNode)).toBe(true);
  });

  it.each([
    ['a node flag', { execArgv: ['--heap-growing-percent=50'], options: undefined }],
    ['NODE_OPTIONS', { execArgv: [], options: '--max-old-space-size=512 --heap-growing-percent=50' }],
  ])('leaves a growth given by %s alone', (_how, node) => {
    expect(tuneHeapFor([10_000], node)).toBe(false);
  });
});
