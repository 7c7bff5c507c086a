// V8 heap settings for runs of large pages (a source's page_size of LARGE_PAGE_OBJECTS or more).
import { setFlagsFromString } from 'node:v8';
import { LARGE_PAGE_OBJECTS } from './normalizer';

/** Old-generation growth between two full collections, in percent, for large pages. */
export const LARGE_PAGE_HEAP_GROWING_PERCENT = 20;

/**
 * Large pages are parsed, promoted and dropped one after the other; with V8's default growth the
 * old generation keeps the garbage of several before the next full collection (peak RSS on 100,000
 * objects in pages of 10,000: 279 MB; 223 MB at 20%, same time). No cap is set: a large page still
 * gets what it needs. Pages of 1,000 die young, and there 20% cost about 10% more CPU: they keep
 * V8's default. A `--heap-growing-percent` given to node (or in NODE_OPTIONS) wins.
 */
export function tuneHeapFor(pageSizes: readonly number[], node = { execArgv: process.execArgv, options: process.env.NODE_OPTIONS }): boolean {
  if (!pageSizes.some((n) => n >= LARGE_PAGE_OBJECTS)) return false;
  if (/--heap-growing-percent/.test(`${node.execArgv.join(' ')} ${node.options ?? ''}`)) return false;
  setFlagsFromString(`--heap-growing-percent=${LARGE_PAGE_HEAP_GROWING_PERCENT}`);
  return true;
}
