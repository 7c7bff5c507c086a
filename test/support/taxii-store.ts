// Storage of the TAXII test server: one sorted list per collection, each object serialized once,
// and the paging positions behind `next` (a stateless token or a server-side cursor).
import { createHash, randomUUID } from 'node:crypto';
import type { TaxiiSeed } from './taxii-objects';

/** One stored object version; the JSON is built once, pages are built by joining strings. */
export interface Entry {
  seq: number;
  /** Sortable form of date_added: epoch seconds (12 digits) '.' fraction (12 digits). */
  key: string;
  dateAdded: string;
  id: string;
  type: string;
  specVersion: string;
  version: string;
  json: string;
  manifestJson: string;
  isFirst: boolean;
  isLast: boolean;
}

/**
 * Sortable key of an RFC 3339 timestamp at full precision. Independent of the client's parser on
 * purpose: whole seconds through Date.parse, the fraction kept as text. Undefined when invalid.
 */
export function timeKey(ts: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,12}))?([Zz]|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4]!.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return `${String(ms / 1000).padStart(12, '0')}.${(m[3] ?? '').padEnd(12, '0')}`;
}

/** Where the next page starts: after the entry (key, seq). */
export interface Position {
  key: string;
  seq: number;
}

export interface StoreQuery {
  addedAfterKey?: string;
  inclusiveAddedAfter?: boolean;
  ids?: Set<string>;
  types?: Set<string>;
  versions?: string[];
  specVersions?: Set<string>;
  /** Only entries of this object id (object and versions endpoints). */
  objectId?: string;
  /** Default `match[version]` when absent: `last` for objects, `all` for manifest (§3.5.1). */
  defaultVersion: 'last' | 'all';
}

export interface Slice {
  entries: Entry[];
  more: boolean;
  /** Position after the last entry served. */
  end?: Position;
}

let seqCounter = 0;

export class CollectionStore {
  private entries: Entry[] = [];
  private flagsDirty = false;

  get size(): number {
    return this.entries.length;
  }

  add(seeds: readonly TaxiiSeed[]): void {
    let sorted = true;
    for (const seed of seeds) {
      const key = timeKey(seed.date_added);
      if (key === undefined) throw new Error(`date_added is not an RFC 3339 timestamp: ${seed.date_added}`);
      const o = seed.object;
      const id = String(o.id);
      const version = String(o.modified ?? o.created ?? seed.date_added);
      const specVersion = String(o.spec_version ?? '2.1');
      const last = this.entries[this.entries.length - 1];
      if (last && (last.key > key)) sorted = false;
      this.entries.push({
        seq: ++seqCounter, key, dateAdded: seed.date_added, id, type: String(o.type), specVersion, version,
        json: JSON.stringify(o),
        manifestJson: JSON.stringify({ id, date_added: seed.date_added, version, media_type: `application/stix+json;version=${specVersion}` }),
        isFirst: true, isLast: true,
      });
    }
    if (!sorted) this.entries.sort((a, b) => (a.key === b.key ? a.seq - b.seq : a.key < b.key ? -1 : 1));
    this.flagsDirty = true;
  }

  /** Recomputes which entry is the first and the last version of its object. */
  private refreshFlags(): void {
    if (!this.flagsDirty) return;
    const first = new Map<string, Entry>();
    const last = new Map<string, Entry>();
    for (const e of this.entries) {
      const f = first.get(e.id);
      const l = last.get(e.id);
      if (!f || e.version < f.version) first.set(e.id, e);
      if (!l || e.version >= l.version) last.set(e.id, e);
    }
    for (const e of this.entries) {
      e.isFirst = first.get(e.id) === e;
      e.isLast = last.get(e.id) === e;
    }
    this.flagsDirty = false;
  }

  /** Index of the first entry after a date key (or at it, when inclusive). */
  private indexAfterKey(key: string, inclusive: boolean): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const k = this.entries[mid]!.key;
      if (k < key || (!inclusive && k === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexAfter(pos: Position): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = this.entries[mid]!;
      if (e.key < pos.key || (e.key === pos.key && e.seq <= pos.seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private matches(e: Entry, q: StoreQuery): boolean {
    if (q.objectId !== undefined && e.id !== q.objectId) return false;
    if (q.ids && !q.ids.has(e.id)) return false;
    if (q.types && !q.types.has(e.type)) return false;
    if (q.specVersions && !q.specVersions.has(e.specVersion)) return false;
    const versions = q.versions ?? [q.defaultVersion];
    return versions.some((v) => v === 'all' || (v === 'last' && e.isLast) || (v === 'first' && e.isFirst) || v === e.version);
  }

  /** Up to `limit` matching entries after `from` (and after added_after), and whether more match. */
  slice(q: StoreQuery, limit: number, from?: Position): Slice {
    this.refreshFlags();
    let i = q.addedAfterKey === undefined ? 0 : this.indexAfterKey(q.addedAfterKey, q.inclusiveAddedAfter === true);
    if (from) i = Math.max(i, this.indexAfter(from));
    const entries: Entry[] = [];
    for (; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (!this.matches(e, q)) continue;
      if (entries.length === limit) return { entries, more: true, end: position(entries) };
      entries.push(e);
    }
    return { entries, more: false, end: position(entries) };
  }

  /** Every matching entry (no paging), e.g. for the versions endpoint. */
  all(q: StoreQuery): Entry[] {
    return this.slice(q, Number.MAX_SAFE_INTEGER).entries;
  }
}

function position(entries: Entry[]): Position | undefined {
  const last = entries[entries.length - 1];
  return last ? { key: last.key, seq: last.seq } : undefined;
}

/** Stable digest of the filters a `next` request must repeat (limit excluded, as medallion does). */
export function querySignature(params: URLSearchParams): string {
  const kept = [...params.entries()].filter(([k]) => k !== 'limit' && k !== 'next').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(JSON.stringify(kept)).digest('hex').slice(0, 16);
}

/** Stateless token: the position itself (plus the query signature and a nonce), base64url. */
export function encodeToken(pos: Position | undefined, sig: string, nonce?: number): string {
  return Buffer.from(JSON.stringify({ k: pos?.key, s: pos?.seq, q: sig, n: nonce })).toString('base64url');
}

export function decodeToken(token: string): { pos?: Position; sig: string } | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: string; s?: number; q?: string };
    if (typeof t.q !== 'string') return undefined;
    return { pos: typeof t.k === 'string' && typeof t.s === 'number' ? { key: t.k, seq: t.s } : undefined, sig: t.q };
  } catch {
    return undefined;
  }
}

/** A server-side cursor (as the OASIS reference server keeps): each use advances it. */
export interface Cursor {
  token: string;
  resource: string;
  sig: string;
  pos?: Position;
  expiresAt: number;
}

/** Server-side cursors with a sliding time to live; expired ones are dropped when looked up. */
export class CursorTable {
  private readonly cursors = new Map<string, Cursor>();

  constructor(private readonly ttlMs: number) {}

  get size(): number {
    return this.cursors.size;
  }

  create(resource: string, sig: string, pos: Position | undefined): Cursor {
    const c: Cursor = { token: randomUUID(), resource, sig, pos, expiresAt: Date.now() + this.ttlMs };
    this.cursors.set(c.token, c);
    return c;
  }

  /** The live cursor of a token (its TTL renewed), or undefined when unknown or expired. */
  take(token: string): Cursor | undefined {
    const c = this.cursors.get(token);
    if (!c) return undefined;
    if (c.expiresAt <= Date.now()) {
      this.cursors.delete(token);
      return undefined;
    }
    c.expiresAt = Date.now() + this.ttlMs;
    return c;
  }

  delete(token: string): void {
    this.cursors.delete(token);
  }

  /** Expires every cursor now (tests of the expired-token path without waiting). */
  expireAll(): void {
    this.cursors.clear();
  }
}
