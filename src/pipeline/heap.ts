// V8 heap settings for runs of large pages (a source's page_size of LARGE_PAGE_OBJECTS or more).
// Each was measured on 100,000 objects in pages of 10,000, at the same speed; pages of 1,000 die
// young instead, and there each cost about 10% more CPU for no memory: they keep V8's defaults.
import { setFlagsFromString } from 'node:v8';

/** Pages of at least this many objects (`page_size`) are large (Trend's feed serves 10,000). */
export const LARGE_PAGE_OBJECTS = 5000;

/**
 * The normalizer threads' young generation, in MB, for large pages (V8's default grows to 48). What
 * a large page keeps until it is bundled (a record per object, the objects that changed) is
 * promoted whatever the size; a small young generation promotes it sooner (peak RSS 224 -> 191 MB
 * when pages were parsed whole; 201 -> 189 MB at 24 against 12 since they are read lazily). Unlike
 * a cap on the old generation, it never fails an allocation.
 */
export const THREAD_YOUNG_GENERATION_MB = 12;

/** Old-generation growth between two full collections, in percent, for large pages. */
export const LARGE_PAGE_HEAP_GROWING_PERCENT = 20;

export function hasLargePages(pageSizes: readonly number[]): boolean {
  return pageSizes.some((n) => n >= LARGE_PAGE_OBJECTS);
}

/**
 * Keeps the old generation near what is live. What large pages keep is promoted and dropped page
 * after page; with V8's default growth the garbage of several waited for the next full collection
 * (peak RSS 279 -> 223 MB when pages were parsed whole, 240 -> 193 MB since they are read lazily).
 * Its price is more full collections: 5% more CPU than V8's own growth (172 -> 152 MB), once the
 * main thread's young generation stays small (dist/cli.js); with the 16 MB one start-up used to
 * leave, V8 marked the main thread's old generation without end and the price was 20%. No cap is
 * set: a large page still gets what it needs. A `--heap-growing-percent` given to node wins (0 is
 * V8's own growth; node refuses it in NODE_OPTIONS, so only its own arguments can hold one);
 * returns whether this one was set.
 */
export function slowHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return false;
  setFlagsFromString(`--heap-growing-percent=${LARGE_PAGE_HEAP_GROWING_PERCENT}`);
  return true;
}
