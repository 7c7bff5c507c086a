// Paging over TAXII 2.1 list resources (§3.4): an async generator that repeats the original query on
// every `next` request, and a loop guard that ends a misbehaving server's paging with a typed,
// non-retryable error instead of looping for ever.
import { createHash } from 'node:crypto';
import { ConnectorError } from '../errors';
import { TAXII_ERROR_CODES } from './errors';
import type { ObjectsQuery } from './query';
import { compareTimestamps } from './timestamps';

/** What the guard needs of a page. */
export interface PagingFacts {
  more: boolean;
  next?: string;
  dateAddedLast?: string;
}

export interface LoopGuardOptions {
  /** Consecutive empty pages with `more: true` tolerated before giving up (default 50). */
  maxEmptyPages?: number;
}

/** Plain, serializable guard state, so that paging split over several jobs can keep guarding. */
export interface LoopGuardState {
  /** `next` tokens received so far. */
  seen: string[];
  /** Fingerprint of the last non-empty page. */
  lastFingerprint?: string;
  /** Consecutive empty pages with `more: true`. */
  emptyPages: number;
}

/** A digest of a page's items: equal for identical pages. */
export function pageFingerprint(items: readonly unknown[]): string {
  return createHash('sha1').update(JSON.stringify(items)).digest('hex');
}

/**
 * Detects paging that makes no progress: a `next` token received before (a cycle), or a non-empty
 * page identical to the previous one. A server that keeps one server-side cursor and returns the
 * same token on every page (as the OASIS reference server does) is fine as long as its pages move.
 */
export class LoopGuard {
  private readonly seen: Set<string>;
  private lastFingerprint?: string;
  private emptyPages: number;

  constructor(private readonly what: string, private readonly options: LoopGuardOptions = {}, state?: LoopGuardState) {
    this.seen = new Set(state?.seen ?? []);
    this.lastFingerprint = state?.lastFingerprint;
    this.emptyPages = state?.emptyPages ?? 0;
  }

  /** Checks a page received for a request sent with `sentNext`; throws TAXII_LOOP_* on a loop. */
  check(items: readonly unknown[], page: PagingFacts, sentNext?: string): void {
    const fingerprint = items.length > 0 ? pageFingerprint(items) : undefined;
    const identical = fingerprint !== undefined && fingerprint === this.lastFingerprint;
    if (page.next !== undefined && this.seen.has(page.next) && !(page.next === sentNext && !identical)) {
      throw loop(TAXII_ERROR_CODES.loopRepeatedNext, `${this.what}: the server sent a next token it had sent before without moving on; stopping instead of looping`);
    }
    if (identical) {
      throw loop(TAXII_ERROR_CODES.loopIdenticalPage, `${this.what}: the server sent the same page twice in a row; stopping instead of looping`);
    }
    if (page.more && items.length === 0) this.emptyPages += 1;
    else this.emptyPages = 0;
    if (this.emptyPages > (this.options.maxEmptyPages ?? 50)) {
      throw loop(TAXII_ERROR_CODES.loopEmptyPages, `${this.what}: the server sent ${this.emptyPages} empty pages in a row, each saying more=true; stopping`);
    }
    if (page.next !== undefined) this.seen.add(page.next);
    if (fingerprint !== undefined) this.lastFingerprint = fingerprint;
  }

  state(): LoopGuardState {
    return { seen: [...this.seen], lastFingerprint: this.lastFingerprint, emptyPages: this.emptyPages };
  }
}

function loop(code: string, message: string): ConnectorError {
  return new ConnectorError(message, { code, retryable: false });
}

export interface PagingOptions extends LoopGuardOptions {
  /**
   * When a page says `more: true` without `next`: `'error'` (default) stops with
   * TAXII_LOOP_MORE_WITHOUT_NEXT after yielding that page; `'added-after'` follows TAXII 2.1 §3.4
   * and asks again with `added_after` = the page's X-TAXII-Date-Added-Last, as long as that moves
   * forward (objects sharing that exact date_added beyond the page are then skipped by the server).
   */
  onMoreWithoutNext?: 'error' | 'added-after';
}

/**
 * Yields pages until the server says `more: false`. Every request after the first repeats the
 * original query (added_after, limit, match[...]) with the new `next` (TAXII 2.1 §3.4.1).
 */
export async function* paginate<P extends PagingFacts>(
  fetchPage: (query: ObjectsQuery) => Promise<P>,
  itemsOf: (page: P) => readonly unknown[],
  query: ObjectsQuery,
  what: string,
  options: PagingOptions = {},
): AsyncGenerator<P, void, undefined> {
  const guard = new LoopGuard(what, options);
  let base: ObjectsQuery = { ...query };
  delete base.next;
  let current: ObjectsQuery = { ...query };
  for (let n = 1; ; n++) {
    const page = await fetchPage(current);
    guard.check(itemsOf(page), page, current.next);
    yield page;
    if (!page.more) return;
    if (page.next !== undefined) {
      current = { ...base, next: page.next };
      continue;
    }
    const last = page.dateAddedLast;
    const moves = last !== undefined && (base.addedAfter === undefined || compareTimestamps(last, base.addedAfter) > 0);
    if (options.onMoreWithoutNext === 'added-after' && moves) {
      base = { ...base, addedAfter: last };
      current = { ...base };
      continue;
    }
    throw loop(TAXII_ERROR_CODES.loopMoreWithoutNext, `${what}: page ${n} says more=true but carries no next token; stopping instead of looping`);
  }
}
