// Query parameters of TAXII 2.1 list requests (§3.4 paging, §3.5 filtering) and the page shapes the
// client returns, plus URL helpers: TAXII resource URLs end with a slash (§1.6.6, §4).
import { ConnectorError } from '../errors';
import { TAXII_ERROR_CODES } from './errors';
import { isTimestamp } from './timestamps';

/** `match[<field>]` filters (TAXII 2.1 §3.5.1); several values are sent comma-separated (OR). */
export type MatchFilter = Partial<Record<'id' | 'type' | 'version' | 'spec_version', string | readonly string[]>> &
  Record<string, string | readonly string[] | undefined>;

/** Parameters of an objects, manifest or versions request. */
export interface ObjectsQuery {
  /** Only items added strictly after this RFC 3339 timestamp (§3.4.1: exclusive). Sent as given. */
  addedAfter?: string;
  /** Items per page (§3.4.1); the server may return fewer. */
  limit?: number;
  match?: MatchFilter;
  /** Paging token from the previous page (§3.4.1); the other parameters must be repeated with it. */
  next?: string;
}

/** The request that produced a page, as sent (no credentials). */
export interface PageRequest {
  url: string;
  query: ObjectsQuery;
}

/** One page of a TAXII list resource with the paging facts the pipeline needs. */
export interface Page<T> {
  objects: T[];
  /** §3.7 `more`: the server holds more items for this query. */
  more: boolean;
  /** §3.7 `next`: token for the following page, when the server gave one. */
  next?: string;
  /** `X-TAXII-Date-Added-First` of this page (§3.4.2), exactly as the server sent it. */
  dateAddedFirst?: string;
  /** `X-TAXII-Date-Added-Last` of this page (§3.4.2): the resume cursor. */
  dateAddedLast?: string;
  /** Response body length in bytes. */
  bytes: number;
  /** The response body as received (a page's envelope can be kept and parsed again later). */
  body: string;
  request: PageRequest;
}

/** A page of STIX objects (§5.4); objects are passed through unchecked. */
export type ObjectsPage = Page<unknown>;

/**
 * A page of STIX objects (§5.4) as received, its envelope not parsed yet: the pipeline parses it
 * off the event loop, where `more`, `next` and the objects are read (taxii/envelope.ts).
 */
export interface ObjectsPageBody extends Omit<Page<unknown>, 'objects' | 'more' | 'next' | 'body'> {
  /** The envelope's JSON as received (UTF-8), byte order mark removed. */
  body: Buffer;
  /** `source "…": GET <url>`, to name the request in messages about the body. */
  what: string;
  status: number;
  /** The Content-Type the server declared. */
  contentType?: string;
}

export function joinValues(v: string | readonly string[]): string {
  return typeof v === 'string' ? v : v.join(',');
}

/** Checks a query and turns it into URL parameters, in a stable order. */
export function toSearchParams(query: ObjectsQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.addedAfter !== undefined) {
    if (!isTimestamp(query.addedAfter)) {
      throw new ConnectorError(`added_after must be an RFC 3339 timestamp, got ${JSON.stringify(query.addedAfter)}`, {
        code: TAXII_ERROR_CODES.badQuery,
        retryable: false,
      });
    }
    params.set('added_after', query.addedAfter);
  }
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit <= 0) {
      throw new ConnectorError(`limit must be a positive integer, got ${query.limit}`, { code: TAXII_ERROR_CODES.badQuery, retryable: false });
    }
    params.set('limit', String(query.limit));
  }
  for (const [field, value] of Object.entries(query.match ?? {})) {
    if (value === undefined) continue;
    const joined = joinValues(value);
    if (joined !== '') params.set(`match[${field}]`, joined);
  }
  if (query.next !== undefined) params.set('next', query.next);
  return params;
}

/** A URL with a trailing slash on its path (TAXII 2.1 resource URLs end with `/`). */
export function withTrailingSlash(url: string): string {
  const u = new URL(url);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u.toString();
}

/** Resolves `path` (relative, absolute-path or absolute URL) under a base URL, with a trailing slash. */
export function resolveUrl(base: string, path: string): string {
  return withTrailingSlash(new URL(path, withTrailingSlash(base)).toString());
}

/** Appends query parameters to a URL. */
export function withParams(url: string, params: URLSearchParams): string {
  const qs = params.toString();
  if (qs === '') return url;
  return `${url}${url.includes('?') ? '&' : '?'}${qs}`;
}
