// A real TAXII 2.1 server for tests (node:http on 127.0.0.1, port 0): discovery, API root,
// collections, objects, manifest, versions and status, with bearer or basic auth, two kinds of
// `next`, a record of every request, and switchable faults. Shared by every test suite.
//
//   const srv = await startTaxiiServer({ objects: generateObjects(250), auth: { type: 'bearer', token: 't0ken-123' } });
//   const client = new TaxiiClient({ source: 'test', discoveryUrl: srv.url, credentials: { type: 'bearer', token: 't0ken-123' }, timeoutMs: 2000 });
//   srv.setFault({ kind: '429', retryAfterSecs: 3, times: 1, on: 'objects' });
//   ...
//   expect(srv.requestsTo('objects').map((r) => r.query.added_after)) ...
//   await srv.close();
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultBoard, type FaultSpec, type PathKind, type TaxiiFault } from './taxii-faults';
import type { TaxiiSeed } from './taxii-objects';
import * as routes from './taxii-routes';
import { CollectionStore, CursorTable } from './taxii-store';

export type { FaultScope, FaultSpec, PathKind, TaxiiFault } from './taxii-faults';
export { generateObjects, type GenerateOptions, type TaxiiSeed } from './taxii-objects';

/** The collection id the server uses when none is given (Trend's documented feed id). */
export const DEFAULT_COLLECTION_ID = '91a7b528-80eb-42ed-a74d-c6fbd5a26116';

export interface TaxiiCollectionSpec {
  id: string;
  title?: string;
  description?: string;
  alias?: string;
  /** Default true; false answers 403 on its objects, manifest, object and versions. */
  canRead?: boolean;
  /** Default true; false answers 403 on POST objects. */
  canWrite?: boolean;
  objects?: TaxiiSeed[];
}

export type TaxiiServerAuth = { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string };

export interface TaxiiServerOptions {
  /** Objects of the first collection (added to its `objects`, if any). */
  objects?: TaxiiSeed[];
  /** Collections of the API root; default one readable collection, DEFAULT_COLLECTION_ID. */
  collections?: TaxiiCollectionSpec[];
  /** Credentials every request must carry (401 with a TAXII error otherwise). Default: none. */
  auth?: TaxiiServerAuth;
  /** `stateless`: `next` encodes the position. `cursor`: a server-side cursor that advances on each use. */
  nextMode?: 'stateless' | 'cursor';
  /** Cursor lifetime since its last use, in ms (default 30000). */
  cursorTtlMs?: number;
  /** Status for an expired or unknown `next` (default 400, as the OASIS server; some answer 404). */
  expiredNextStatus?: 400 | 404;
  /** Delay of every objects and manifest answer, in ms (default 0). */
  pageDelayMs?: number;
  /** Page size without `limit` (default 100); `limit` is clamped to [minLimit, maxLimit] (1, 10000). */
  defaultLimit?: number;
  minLimit?: number;
  maxLimit?: number;
  /** The API root's `max_content_length` (default 10 MiB); larger POST bodies get 413. */
  maxContentLength?: number;
  /** How discovery lists API roots: full URLs (default), absolute paths, or paths relative to discovery. */
  apiRootsInDiscovery?: 'absolute' | 'path' | 'relative';
  /** Whether discovery names a `default` API root (default true). */
  discoveryDefault?: boolean;
  /** More API root names listed in discovery (they have no collections). */
  extraApiRoots?: string[];
  /** Answer an empty list as `{}` (default true) instead of `{"more":false,"objects":[]}`. */
  emptyAsObject?: boolean;
  /** Answer 406 unless `Accept` names application/taxii+json (default true). */
  requireAccept?: boolean;
  /** Status polls answered `pending` before a POST's status is complete (default 0). */
  pendingStatusPolls?: number;
}

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** Query parameters, decoded (last value of a repeated name). */
  query: Record<string, string>;
  /** Path and query as sent. */
  rawUrl: string;
  /** Headers, names lowercase. */
  headers: http.IncomingHttpHeaders;
  /** Arrival time, ms since the epoch. */
  time: number;
  kind: PathKind;
  collectionId?: string;
  body?: string;
  /** Status answered (absent while pending, or when the socket was destroyed). */
  status?: number;
}

export interface TaxiiTestServer {
  /** Discovery URL, e.g. http://127.0.0.1:40123/taxii2/ */
  url: string;
  origin: string;
  port: number;
  apiRootUrl: string;
  /** URL of a collection (default: the first one), with a trailing slash. */
  collectionUrl(id?: string): string;
  defaultCollectionId: string;
  requests: RecordedRequest[];
  /** Recorded requests of one kind, in arrival order. */
  requestsTo(kind: PathKind): RecordedRequest[];
  /** Stores objects (any order) in a collection, created on the fly if unknown. */
  addObjects(collectionId: string, objects: readonly TaxiiSeed[]): void;
  objectCount(collectionId?: string): number;
  /** Replaces every fault with this one (null clears). */
  setFault(fault: TaxiiFault | null): void;
  /** Adds a fault beside the active ones. */
  addFault(fault: TaxiiFault): void;
  clearFaults(): void;
  /** Live server-side cursors (cursor mode). */
  cursorCount(): number;
  /** Expires every server-side cursor now. */
  expireCursors(): void;
  close(): Promise<void>;
}

const API_ROOT = 'api1';

function authOk(auth: TaxiiServerAuth | undefined, header: string | undefined): boolean {
  if (!auth) return true;
  if (auth.type === 'bearer') return header === `Bearer ${auth.token}`;
  return header === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

const HTML_PAGE = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p></body></html>';

export async function startTaxiiServer(options: TaxiiServerOptions = {}): Promise<TaxiiTestServer> {
  const specs = options.collections ?? [{ id: DEFAULT_COLLECTION_ID, title: 'Test feed' }];
  const state: routes.TaxiiState = {
    origin: '', discoveryPath: '/taxii2/', apiRootPath: `/taxii2/${API_ROOT}/`,
    extraRootPaths: (options.extraApiRoots ?? []).map((r) => `/taxii2/${r}/`),
    collections: new Map(), statuses: new Map(), cursors: new CursorTable(options.cursorTtlMs ?? 30_000),
    nextMode: options.nextMode ?? 'stateless', expiredNextStatus: options.expiredNextStatus ?? 400,
    limits: { default: options.defaultLimit ?? 100, min: options.minLimit ?? 1, max: options.maxLimit ?? 10_000 },
    maxContentLength: options.maxContentLength ?? 10 * 1024 * 1024, apiRootsInDiscovery: options.apiRootsInDiscovery ?? 'absolute',
    discoveryDefault: options.discoveryDefault ?? true, emptyAsObject: options.emptyAsObject ?? true,
    pendingStatusPolls: options.pendingStatusPolls ?? 0, nonce: 0, lastAddedMicros: 0,
  };
  const collectionOf = (id: string): routes.CollectionState => {
    let c = state.collections.get(id);
    if (!c) {
      c = { id, title: id, canRead: true, canWrite: true, store: new CollectionStore() };
      state.collections.set(id, c);
    }
    return c;
  };
  specs.forEach((s, i) => {
    const c = collectionOf(s.id);
    Object.assign(c, { title: s.title, description: s.description, alias: s.alias, canRead: s.canRead ?? true, canWrite: s.canWrite ?? true });
    c.store.add([...(s.objects ?? []), ...(i === 0 ? options.objects ?? [] : [])]);
  });
  const faults = new FaultBoard();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    timers.add(t);
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent) send(res, routes.taxiiError(500, 'Test server failure', String(err)));
      });
    });
  });

  function send(res: http.ServerResponse, reply: routes.Reply, contentType = routes.TAXII_CT, record?: RecordedRequest): void {
    if (res.destroyed) return;
    if (record) record.status = reply.status;
    res.writeHead(reply.status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers });
    res.end(reply.body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', state.origin);
    const r = routes.route(state, url.pathname);
    const record: RecordedRequest = {
      method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), rawUrl: req.url ?? '/',
      headers: req.headers, time: Date.now(), kind: r.kind, collectionId: r.collectionId, body: body === '' ? undefined : body,
    };
    requests.push(record);
    const hits = faults.take(r.kind);
    const hit = <K extends FaultSpec['kind']>(k: K) => hits.find((f): f is Extract<FaultSpec, { kind: K }> => f.kind === k);
    const reset = hit('reset');
    if (reset && reset.afterBytes === undefined) return void req.socket.destroy();
    const slow = hit('slow');
    if (slow) await sleep(slow.delayMs ?? 5000);
    if ((r.kind === 'objects' || r.kind === 'manifest') && options.pageDelayMs) await sleep(options.pageDelayMs);
    const redirect = hit('redirect');
    if (redirect) {
      record.status = redirect.status ?? 302;
      res.writeHead(record.status, { Location: `${redirect.toOrigin}${req.url ?? '/'}`, 'Content-Length': 0 });
      return void res.end();
    }
    const early = earlyReply(hits);
    if (early) return send(res, early.reply, early.contentType, record);
    let reply = answer(req, r, url.searchParams, body, hits);
    const cut = hit('truncated-json');
    if (cut && reply.status < 300) reply = { ...reply, body: Buffer.from(reply.body).subarray(0, cut.keepBytes ?? Math.floor(Buffer.byteLength(reply.body) / 2)).toString('utf8') };
    if (reset) {
      res.writeHead(reply.status, { 'Content-Type': routes.TAXII_CT, 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers });
      res.write(Buffer.from(reply.body).subarray(0, reset.afterBytes));
      return void setImmediate(() => req.socket.destroy());
    }
    const wrongType = hit('wrong-content-type');
    send(res, reply, wrongType ? wrongType.contentType ?? 'text/plain' : routes.TAXII_CT, record);
  }

  /** Faults that answer instead of the resource. */
  function earlyReply(hits: FaultSpec[]): { reply: routes.Reply; contentType?: string } | undefined {
    for (const f of hits) {
      if (f.kind === '429') {
        const retryAfter = f.retryAfterDate ? f.retryAfterDate.toUTCString() : String(f.retryAfterSecs ?? 1);
        return { reply: { ...routes.taxiiError(429, 'Too Many Requests', 'rate limit exceeded'), headers: { 'Retry-After': retryAfter } } };
      }
      if (f.kind === '5xx') {
        const reply = routes.taxiiError(f.status ?? 503, 'Service Unavailable', 'the server is temporarily unable to answer');
        return { reply: f.retryAfterSecs === undefined ? reply : { ...reply, headers: { 'Retry-After': String(f.retryAfterSecs) } } };
      }
      if (f.kind === 'status') {
        const base = routes.taxiiError(f.status, `HTTP ${f.status}`);
        const body = f.body === undefined ? base.body : typeof f.body === 'string' ? f.body : JSON.stringify(f.body);
        return { reply: { status: f.status, body, headers: f.headers } };
      }
      if (f.kind === 'html') return { reply: { status: f.status ?? 502, body: HTML_PAGE }, contentType: 'text/html; charset=utf-8' };
    }
    return undefined;
  }

  /** The resource itself: auth, media type, then the route. */
  function answer(req: http.IncomingMessage, r: routes.Route, params: URLSearchParams, body: string, hits: FaultSpec[]): routes.Reply {
    if (!authOk(options.auth, req.headers.authorization)) {
      const scheme = options.auth?.type === 'basic' ? 'Basic' : 'Bearer';
      return { ...routes.taxiiError(401, 'Unauthorized', 'missing or invalid credentials'), headers: { 'WWW-Authenticate': `${scheme} realm="taxii"` } };
    }
    const accept = req.headers.accept ?? '';
    if ((options.requireAccept ?? true) && !/application\/taxii\+json/i.test(accept)) {
      return routes.taxiiError(406, 'Not Acceptable', `Accept must name ${routes.TAXII_CT}, got ${accept || 'none'}`);
    }
    if (r.kind === 'discovery') return routes.discovery(state);
    if (r.kind === 'unknown') return routes.taxiiError(404, 'Not Found', `no TAXII resource at ${req.url}`);
    if (r.kind === 'api-root') return routes.apiRoot(state);
    if (r.kind === 'status') return routes.statusReply(state, r.statusId ?? '');
    if (r.kind === 'collections') return routes.collections(state, r);
    const c = r.root === state.apiRootPath ? state.collections.get(r.collectionId ?? '') : undefined;
    if (!c) return routes.taxiiError(404, 'Collection not found', `no collection ${r.collectionId}`);
    if (r.kind === 'collection') return routes.collection(c);
    if (req.method === 'POST' && r.kind === 'objects') {
      if (!c.canWrite) return routes.taxiiError(403, 'Forbidden', 'this collection cannot be written');
      if (!/application\/taxii\+json/i.test(req.headers['content-type'] ?? '')) return routes.taxiiError(415, 'Unsupported Media Type', 'send application/taxii+json;version=2.1');
      if (Buffer.byteLength(body) > state.maxContentLength) return routes.taxiiError(413, 'Payload Too Large', `max_content_length is ${state.maxContentLength}`);
      return routes.addObjects(state, c, body);
    }
    if (!c.canRead) return routes.taxiiError(403, 'Forbidden', 'this collection cannot be read');
    const has = (k: FaultSpec['kind']) => hits.some((f) => f.kind === k);
    return routes.listPage(state, c, r, params, {
      objectsNotArray: has('objects-not-array'), moreWithoutNext: has('more-without-next'), repeatNext: has('repeat-next'),
      repeatPage: has('repeat-page'), inclusiveAddedAfter: has('inclusive-added-after'),
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${port}`;
  const apiRootUrl = `${state.origin}${state.apiRootPath}`;
  return {
    url: `${state.origin}${state.discoveryPath}`,
    origin: state.origin,
    port,
    apiRootUrl,
    defaultCollectionId: specs[0]?.id ?? DEFAULT_COLLECTION_ID,
    collectionUrl: (id = specs[0]?.id ?? DEFAULT_COLLECTION_ID) => `${apiRootUrl}collections/${encodeURIComponent(id)}/`,
    requests,
    requestsTo: (kind) => requests.filter((q) => q.kind === kind),
    addObjects: (id, objs) => collectionOf(id).store.add(objs),
    objectCount: (id = specs[0]?.id ?? DEFAULT_COLLECTION_ID) => state.collections.get(id)?.store.size ?? 0,
    setFault: (f) => faults.set(f),
    addFault: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    cursorCount: () => state.cursors.size,
    expireCursors: () => state.cursors.expireAll(),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
