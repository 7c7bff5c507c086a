// The TAXII 2.1 resources of the test server, as pure handlers: request facts in, status + headers
// + body out. Discovery (§4.1), API root (§4.2), status (§4.3), collections (§5.1, §5.2), manifest
// (§5.3), objects (§5.4, §5.5), one object (§5.6) and versions (§5.8).
import { randomUUID } from 'node:crypto';
import type { PathKind } from './taxii-faults';
import { fromMicros } from './taxii-objects';
import { CollectionStore, CursorTable, decodeToken, encodeToken, querySignature, timeKey, type Entry, type Position, type StoreQuery } from './taxii-store';

export const TAXII_CT = 'application/taxii+json;version=2.1';

export interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface CollectionState {
  id: string;
  title?: string;
  description?: string;
  alias?: string;
  canRead: boolean;
  canWrite: boolean;
  store: CollectionStore;
}

export interface StatusState {
  resource: Record<string, unknown>;
  pendingPolls: number;
}

/** Everything the handlers read and change. */
export interface TaxiiState {
  origin: string;
  discoveryPath: string;
  apiRootPath: string;
  extraRootPaths: string[];
  collections: Map<string, CollectionState>;
  statuses: Map<string, StatusState>;
  cursors: CursorTable;
  nextMode: 'stateless' | 'cursor';
  expiredNextStatus: 400 | 404;
  limits: { default: number; min: number; max: number };
  maxContentLength: number;
  apiRootsInDiscovery: 'absolute' | 'path' | 'relative';
  discoveryDefault: boolean;
  emptyAsObject: boolean;
  pendingStatusPolls: number;
  nonce: number;
  lastAddedMicros: number;
}

/** A parsed request path. */
export interface Route {
  kind: PathKind;
  root?: string;
  collectionId?: string;
  objectId?: string;
  statusId?: string;
}

/** Paging faults the list handler applies. */
export interface ListFlags {
  objectsNotArray?: boolean;
  moreWithoutNext?: boolean;
  repeatNext?: boolean;
  repeatPage?: boolean;
  inclusiveAddedAfter?: boolean;
}

export function taxiiError(status: number, title: string, description?: string, errorCode?: string): Reply {
  return { status, body: JSON.stringify({ title, description, error_code: errorCode, http_status: String(status) }) };
}

export function route(state: TaxiiState, path: string): Route {
  const p = path.endsWith('/') ? path : `${path}/`;
  if (p === state.discoveryPath) return { kind: 'discovery' };
  const roots = [state.apiRootPath, ...state.extraRootPaths];
  const root = roots.find((r) => p.startsWith(r));
  if (root === undefined) return { kind: 'unknown' };
  const parts = p.slice(root.length).split('/').filter(Boolean).map(decodeURIComponent);
  const r = { root };
  if (parts.length === 0) return { ...r, kind: 'api-root' };
  if (parts[0] === 'status' && parts.length === 2) return { ...r, kind: 'status', statusId: parts[1] };
  if (parts[0] !== 'collections') return { ...r, kind: 'unknown' };
  const [, collectionId, sub, objectId, versions] = parts;
  if (collectionId === undefined) return { ...r, kind: 'collections' };
  const c = { ...r, collectionId };
  if (sub === undefined) return { ...c, kind: 'collection' };
  if (sub === 'manifest' && objectId === undefined) return { ...c, kind: 'manifest' };
  if (sub !== 'objects' || parts.length > 5) return { ...c, kind: 'unknown' };
  if (objectId === undefined) return { ...c, kind: 'objects' };
  if (versions === undefined) return { ...c, kind: 'object', objectId };
  return versions === 'versions' ? { ...c, kind: 'versions', objectId } : { ...c, kind: 'unknown' };
}

function rootRef(state: TaxiiState, path: string): string {
  if (state.apiRootsInDiscovery === 'absolute') return `${state.origin}${path}`;
  if (state.apiRootsInDiscovery === 'path') return path;
  return path.slice(state.discoveryPath.length);
}

export function discovery(state: TaxiiState): Reply {
  const roots = [state.apiRootPath, ...state.extraRootPaths].map((p) => rootRef(state, p));
  const body: Record<string, unknown> = { title: 'TAXII test server', description: 'In-process TAXII 2.1 server for tests', contact: 'tests@example.com', api_roots: roots };
  if (state.discoveryDefault) body.default = roots[0];
  return { status: 200, body: JSON.stringify(body) };
}

export function apiRoot(state: TaxiiState): Reply {
  return { status: 200, body: JSON.stringify({ title: 'Test API root', versions: [TAXII_CT], max_content_length: state.maxContentLength }) };
}

function describeCollection(c: CollectionState): Record<string, unknown> {
  return { id: c.id, title: c.title, description: c.description, alias: c.alias, can_read: c.canRead, can_write: c.canWrite, media_types: ['application/stix+json;version=2.1'] };
}

export function collections(state: TaxiiState, route: Route): Reply {
  if (route.root !== state.apiRootPath) return { status: 200, body: '{}' };
  const list = [...state.collections.values()].map(describeCollection);
  return { status: 200, body: list.length ? JSON.stringify({ collections: list }) : '{}' };
}

export function collection(c: CollectionState): Reply {
  return { status: 200, body: JSON.stringify(describeCollection(c)) };
}

function parseQuery(state: TaxiiState, params: URLSearchParams, defaultVersion: 'last' | 'all'): StoreQuery & { limit: number } | Reply {
  const q: StoreQuery & { limit: number } = { defaultVersion, limit: state.limits.default };
  const addedAfter = params.get('added_after');
  if (addedAfter !== null) {
    q.addedAfterKey = timeKey(addedAfter);
    if (q.addedAfterKey === undefined) return taxiiError(400, 'Bad added_after', `not an RFC 3339 timestamp: ${addedAfter}`);
  }
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^\d+$/.test(limit) || Number(limit) === 0) return taxiiError(400, 'Bad limit', `not a positive integer: ${limit}`);
    q.limit = Math.min(state.limits.max, Math.max(state.limits.min, Number(limit)));
  }
  const set = (name: string) => {
    const v = params.get(`match[${name}]`);
    return v === null ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
  };
  const ids = set('id');
  const types = set('type');
  const specs = set('spec_version');
  if (ids) q.ids = new Set(ids);
  if (types) q.types = new Set(types);
  if (specs) q.specVersions = new Set(specs);
  q.versions = set('version');
  return q;
}

/**
 * One page of a list resource: objects, manifest, one object's versions as objects, or the version
 * list. `next` is a stateless token or a server-side cursor, per `state.nextMode`.
 */
export function listPage(state: TaxiiState, c: CollectionState, route: Route, params: URLSearchParams, flags: ListFlags): Reply {
  const resource = `${route.kind}:${c.id}:${route.objectId ?? ''}`;
  const parsed = parseQuery(state, params, route.kind === 'objects' || route.kind === 'object' ? 'last' : 'all');
  if ('status' in parsed) return parsed;
  const q: StoreQuery = { ...parsed, objectId: route.objectId, inclusiveAddedAfter: flags.inclusiveAddedAfter };
  if (route.objectId !== undefined && c.store.all({ objectId: route.objectId, defaultVersion: 'all' }).length === 0) {
    return taxiiError(404, 'Object not found', `no object ${route.objectId} in collection ${c.id}`);
  }
  const sig = `${resource}:${querySignature(params)}`;
  const sent = params.get('next');
  let from: Position | undefined;
  let cursor;
  if (sent !== null) {
    const invalid = taxiiError(state.expiredNextStatus, 'The server did not understand the request or filter parameters', "'next' not valid (expired or unknown)");
    if (state.nextMode === 'cursor') {
      cursor = state.cursors.take(sent);
      if (!cursor || cursor.resource !== resource) return invalid;
      if (cursor.sig !== sig) return taxiiError(400, 'The server did not understand the request or filter parameters', 'params changed over subsequent transaction');
      from = cursor.pos;
    } else {
      const token = decodeToken(sent);
      if (!token) return invalid;
      if (token.sig !== sig) return taxiiError(400, 'The server did not understand the request or filter parameters', 'params changed over subsequent transaction');
      from = token.pos;
    }
  }
  const slice = c.store.slice(q, parsed.limit, from);
  let more = slice.more;
  let next: string | undefined;
  if (flags.repeatNext && sent !== null) {
    next = sent;
    more = true;
  } else if (flags.repeatPage) {
    next = state.nextMode === 'cursor' ? state.cursors.create(resource, sig, from).token : encodeToken(from, sig, ++state.nonce);
    more = true;
  } else if (more) {
    if (state.nextMode === 'stateless') next = encodeToken(slice.end, sig);
    else if (cursor) {
      cursor.pos = slice.end;
      next = cursor.token;
    } else next = state.cursors.create(resource, sig, slice.end).token;
  } else if (cursor) state.cursors.delete(cursor.token);
  if (flags.moreWithoutNext) {
    more = true;
    next = undefined;
  }
  return render(state, route.kind, slice.entries, more, next, flags);
}

function render(state: TaxiiState, kind: PathKind, entries: Entry[], more: boolean, next: string | undefined, flags: ListFlags): Reply {
  const headers: Record<string, string> = {};
  if (entries.length > 0) {
    headers['X-TAXII-Date-Added-First'] = entries[0]!.dateAdded;
    headers['X-TAXII-Date-Added-Last'] = entries[entries.length - 1]!.dateAdded;
  }
  const field = kind === 'versions' ? 'versions' : 'objects';
  let items: string;
  if (flags.objectsNotArray) items = '{"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000000"}';
  else if (kind === 'versions') items = `[${entries.map((e) => JSON.stringify(e.version)).join(',')}]`;
  else items = `[${entries.map((e) => (kind === 'manifest' ? e.manifestJson : e.json)).join(',')}]`;
  if (entries.length === 0 && !more && state.emptyAsObject && !flags.objectsNotArray) return { status: 200, body: '{}', headers };
  const nextPart = next === undefined ? '' : `,"next":${JSON.stringify(next)}`;
  return { status: 200, body: `{"more":${more}${nextPart},"${field}":${items}}`, headers };
}

/** POST objects (§5.5): stores every object with a fresh microsecond date_added; 202 + status. */
export function addObjects(state: TaxiiState, c: CollectionState, body: string): Reply {
  let envelope: { objects?: unknown };
  try {
    envelope = JSON.parse(body) as { objects?: unknown };
  } catch {
    return taxiiError(400, 'Bad envelope', 'the request body is not JSON');
  }
  if (!Array.isArray(envelope.objects)) return taxiiError(422, 'Bad envelope', 'objects must be an array');
  const seeds = envelope.objects.map((object) => {
    state.lastAddedMicros = Math.max(state.lastAddedMicros + 1, Date.now() * 1000);
    return { object: object as Record<string, unknown>, date_added: fromMicros(state.lastAddedMicros) };
  });
  c.store.add(seeds);
  const id = randomUUID();
  const successes = seeds.map((s) => ({ id: String(s.object.id), version: String(s.object.modified ?? s.object.created ?? s.date_added) }));
  const resource = {
    id, status: 'complete', request_timestamp: fromMicros(Date.now() * 1000), total_count: seeds.length, success_count: seeds.length, successes,
    failure_count: 0, failures: [], pending_count: 0, pendings: [],
  };
  state.statuses.set(id, { resource, pendingPolls: state.pendingStatusPolls });
  return statusReply(state, id, 202);
}

/** GET status (§4.3.1): `pending` for the first `pendingStatusPolls` polls, then as stored. */
export function statusReply(state: TaxiiState, id: string, httpStatus = 200): Reply {
  const s = state.statuses.get(id);
  if (!s) return taxiiError(404, 'Status not found', `no status ${id}`);
  if (s.pendingPolls > 0) {
    if (httpStatus === 200) s.pendingPolls -= 1;
    const total = Number(s.resource.total_count);
    return { status: httpStatus, body: JSON.stringify({ ...s.resource, status: 'pending', success_count: 0, successes: [], pending_count: total, pendings: s.resource.successes }) };
  }
  return { status: httpStatus, body: JSON.stringify(s.resource) };
}
