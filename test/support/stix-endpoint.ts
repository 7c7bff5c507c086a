// An HTTP STIX bundle endpoint for tests: real HTTP on 127.0.0.1, records every request and the
// bundles it accepted, and answers scripted statuses on demand (503 for N requests, 429, 401 …).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StixEndpointOptions {
  /** Path bundles are posted to (default `/bundles`). */
  path?: string;
  /** Exact `Authorization` value required; other requests get 401 (default: none required). */
  authorization?: string;
}

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** How many requests get this reply (default 1). */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

interface Bundle {
  type: string;
  id: string;
  objects: Array<{ id: string; type: string }>;
}

export class StixEndpoint {
  readonly requests: RecordedRequest[] = [];
  readonly bundles: Bundle[] = [];
  /** Base URL of the endpoint, path included. */
  url = '';
  private readonly server: http.Server;
  private readonly script: ScriptedReply[] = [];
  private readonly path: string;

  constructor(private readonly options: StixEndpointOptions = {}) {
    this.path = options.path ?? '/bundles';
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.path}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get objects(): Array<{ id: string; type: string }> {
    return this.bundles.flatMap((b) => b.objects);
  }

  /** The next request(s) get this reply, before any other rule. */
  replyNext(reply: ScriptedReply): void {
    this.script.push({ times: 1, ...reply });
  }

  /** Drops the scripted replies still pending: the endpoint answers normally again. */
  clearReplies(): void {
    this.script.length = 0;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const record: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 };
    this.requests.push(record);
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      record.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(body);
    };
    const scripted = this.script[0];
    if (scripted) {
      if (--scripted.times! <= 0) this.script.shift();
      return send(scripted.status, scripted.body ?? JSON.stringify({ status: scripted.status }), scripted.headers);
    }
    if (this.options.authorization !== undefined && req.headers.authorization !== this.options.authorization) {
      return send(401, JSON.stringify({ error: 'unauthorized' }), { 'WWW-Authenticate': 'Bearer' });
    }
    if ((req.url ?? '').split('?')[0] !== this.path) return send(404, JSON.stringify({ error: 'not found' }));
    if (req.method !== 'POST') return send(405, JSON.stringify({ error: 'method not allowed' }), { Allow: 'POST' });
    let bundle: Bundle;
    try {
      bundle = JSON.parse(record.body);
    } catch {
      return send(400, JSON.stringify({ error: 'body is not JSON' }));
    }
    if (bundle.type !== 'bundle' || !Array.isArray(bundle.objects)) return send(400, JSON.stringify({ error: 'not a STIX bundle' }));
    this.bundles.push(bundle);
    send(200, JSON.stringify({ accepted: bundle.objects.length }));
  }
}

export async function startStixEndpoint(options: StixEndpointOptions = {}): Promise<StixEndpoint> {
  return new StixEndpoint(options).listen();
}
