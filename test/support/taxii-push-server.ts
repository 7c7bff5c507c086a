// A writable TAXII 2.1 collection for tests (§5.4 Add Objects, §4.3 Get Status): POSTed objects get a
// `pending` status resource (202) that turns `complete` after K polls, with configurable per-object
// failures. Real HTTP on 127.0.0.1; records envelopes, accepted objects, requests and polls.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const TAXII = 'application/taxii+json;version=2.1';

export interface TaxiiPushServerOptions {
  /** API root path (default `/taxii2/root/`, as OpenCTI exposes it). */
  apiRoot?: string;
  /** Collection id (default a fixed UUID). */
  collectionId?: string;
  /** Exact `Authorization` value required (default: none). */
  authorization?: string;
  /** Status polls answered `pending` before `complete` (default 1; Infinity: never completes). */
  pollsUntilComplete?: number;
  /** Objects the server refuses, by id, with the message it reports in `failures`. */
  failIds?: Map<string, string>;
  /** `can_write` of the collection (default true). */
  canWrite?: boolean;
}

interface Obj {
  id: string;
  type: string;
  modified?: string;
  created?: string;
}
interface Detail {
  id: string;
  version: string;
  message?: string;
}
interface StatusState {
  id: string;
  objects: Obj[];
  polls: number;
  requestTimestamp: string;
}
export interface RecordedTaxiiRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  status: number;
}

export class TaxiiPushServer {
  readonly envelopes: Array<{ objects: Obj[] }> = [];
  /** Objects accepted (failures excluded), once their status completed. */
  readonly objects: Obj[] = [];
  readonly requests: RecordedTaxiiRequest[] = [];
  readonly statuses = new Map<string, StatusState>();
  origin = '';
  private readonly server: http.Server;
  private readonly o: Required<Omit<TaxiiPushServerOptions, 'authorization'>> & Pick<TaxiiPushServerOptions, 'authorization'>;

  constructor(options: TaxiiPushServerOptions = {}) {
    this.o = {
      apiRoot: '/taxii2/root/',
      collectionId: '365fed99-08fa-fdcd-a1b3-fb247eb41d01',
      pollsUntilComplete: 1,
      failIds: new Map(),
      canWrite: true,
      ...options,
    };
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  get collectionUrl(): string {
    return `${this.origin}${this.o.apiRoot}collections/${this.o.collectionId}/`;
  }

  /** Status polls received, all statuses together. */
  get polls(): number {
    return [...this.statuses.values()].reduce((n, s) => n + s.polls, 0);
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '').split('?')[0];
    const record: RecordedTaxiiRequest = { method: req.method ?? '', path, headers: req.headers, status: 0 };
    this.requests.push(record);
    const send = (status: number, body: unknown): void => {
      record.status = status;
      res.writeHead(status, { 'Content-Type': TAXII }).end(JSON.stringify(body));
    };
    const error = (status: number, title: string): void => send(status, { title, http_status: String(status) });
    if (this.o.authorization !== undefined && req.headers.authorization !== this.o.authorization) return error(401, 'Unauthorized');
    const collection = `${this.o.apiRoot}collections/${this.o.collectionId}/`;
    const statusMatch = new RegExp(`^${this.o.apiRoot}status/([^/]+)/$`).exec(path);
    if (req.method === 'GET' && path === collection) {
      return send(200, { id: this.o.collectionId, title: 'push target', can_read: true, can_write: this.o.canWrite, media_types: [TAXII] });
    }
    if (req.method === 'POST' && path === `${collection}objects/`) {
      if (!isTaxii(req.headers['content-type'])) return error(415, 'Unsupported Media Type');
      if (!isTaxii(req.headers.accept)) return error(406, 'Not Acceptable');
      if (!this.o.canWrite) return error(403, 'Forbidden');
      const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { objects: Obj[] };
      this.envelopes.push(envelope);
      const state: StatusState = { id: randomUUID(), objects: envelope.objects ?? [], polls: 0, requestTimestamp: new Date().toISOString() };
      this.statuses.set(state.id, state);
      return send(202, this.statusResource(state));
    }
    if (req.method === 'GET' && statusMatch) {
      const state = this.statuses.get(decodeURIComponent(statusMatch[1]));
      if (!state) return error(404, 'Not Found');
      state.polls++;
      const resource = this.statusResource(state);
      if (resource.status === 'complete' && state.polls === this.o.pollsUntilComplete) {
        this.objects.push(...state.objects.filter((o) => !this.o.failIds.has(o.id)));
      }
      return send(200, resource);
    }
    return error(404, 'Not Found');
  }

  private statusResource(state: StatusState): Record<string, unknown> {
    const complete = state.polls >= this.o.pollsUntilComplete;
    const detail = (o: Obj, message?: string): Detail => ({ id: o.id, version: o.modified ?? o.created ?? state.requestTimestamp, ...(message ? { message } : {}) });
    const failures = complete ? state.objects.filter((o) => this.o.failIds.has(o.id)).map((o) => detail(o, this.o.failIds.get(o.id))) : [];
    const successes = complete ? state.objects.filter((o) => !this.o.failIds.has(o.id)).map((o) => detail(o)) : [];
    const pendings = complete ? [] : state.objects.map((o) => detail(o));
    return {
      id: state.id,
      status: complete ? 'complete' : 'pending',
      request_timestamp: state.requestTimestamp,
      total_count: state.objects.length,
      success_count: successes.length,
      successes,
      failure_count: failures.length,
      failures,
      pending_count: pendings.length,
      pendings,
    };
  }
}

function isTaxii(value: string | undefined): boolean {
  return (value ?? '').toLowerCase().replace(/\s+/g, '').includes(TAXII);
}

export async function startTaxiiPushServer(options: TaxiiPushServerOptions = {}): Promise<TaxiiPushServer> {
  return new TaxiiPushServer(options).listen();
}
