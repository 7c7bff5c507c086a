// An OpenCTI test server: real HTTP on 127.0.0.1, a GraphQL schema built from a faithful subset of
// OpenCTI's opencti.graphql (per platform version), every document validated against it and executed
// on in-memory records, bearer auth, and injectable faults. Records what it received.
import { type DocumentNode, GraphQLError, Kind, buildSchema, execute, parse, validate } from 'graphql';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenCtiServerOptions {
  /** Platform version answered by `about` and used to shape the schema (default `6.8.0`). */
  version?: string;
  /** Token expected in `Authorization: Bearer <token>` (default `test-token`). */
  token?: string;
  /** stixBundlePush refuses ("Invalid bundle") any bundle holding one of these ids. */
  invalidBundleIds?: Set<string>;
  /** This many requests carrying stixBundlePush get an HTTP error first (default 0). */
  failPushes?: number;
  /** This many requests, whatever they carry, get an HTTP error first (default 0). */
  failRequests?: number;
  /** Status of those failures (default 503). */
  failStatus?: number;
  /** Retry-After sent with those failures, in seconds. */
  retryAfterSecs?: number;
  /** `connector_queue_details.messages_size`, in bytes (default 0). */
  queueBytes?: number;
  /** `connector_queue_details.messages_number` (default 0). */
  queueMessages?: number;
  /** `work_id` of stixBundlePush: by version (>= 6.5.7), required, or absent from the schema (default `auto`). */
  workIdArg?: 'auto' | 'require' | 'refuse';
  /** Largest request body accepted, in bytes; larger ones get 413 (default 50 MB, the platform's). */
  maxBodyBytes?: number;
  /** A request carrying stixBundlePush is answered this many ms late: the platform's time to take a bundle in (default 0). */
  pushDelayMs?: number;
}

export interface ConnectorRecord {
  id: string;
  name: string;
  type: string;
  scope: string[];
  auto: boolean | null;
  only_contextual: boolean | null;
  playbook_compatible: boolean | null;
  state: string | null;
  stateReset: boolean;
  info: Record<string, unknown> | null;
  registrations: number;
}
export interface WorkRecord {
  id: string;
  connectorId: string;
  name: string | null;
  status: 'wait' | 'progress' | 'complete';
  message?: string;
  inError?: boolean;
}
export interface PingRecord {
  connectorId: string;
  state: string | null;
  connectorInfo: Record<string, unknown> | null;
}
export interface PushRecord {
  connectorId: string;
  workId: string | null | undefined;
  bundle: { id: string; objects: Array<{ id: string; type: string }> };
  bodyBytes: number;
}
export interface RequestRecord {
  operationName?: string;
  authorization?: string;
  bodyBytes: number;
  status: number;
}

function versionAtLeast(version: string, min: [number, number, number]): boolean {
  const [a = 0, b = 0, c = 0] = (/^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version) ?? []).slice(1).map(Number);
  const v = [a, b, c];
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

/** SDL subset of opencti.graphql; fields and arguments appear with the versions that have them. */
function sdl(version: string, workIdArg: 'auto' | 'require' | 'refuse'): string {
  const hasInfo = versionAtLeast(version, [6, 2, 12]);
  const hasPush = versionAtLeast(version, [6, 3, 0]);
  const hasWorkId = workIdArg === 'require' || (workIdArg === 'auto' && versionAtLeast(version, [6, 5, 7]));
  return `
directive @auth(for: [Capabilities] = [], and: Boolean = false) on OBJECT | FIELD_DEFINITION
directive @constraint(minLength: Int, format: String) on INPUT_FIELD_DEFINITION
scalar DateTime
enum State { wait progress complete timeout }
enum Capabilities { CONNECTORAPI MODULES MODULES_MODMANAGE KNOWLEDGE_KNASKIMPORT KNOWLEDGE_KNGETEXPORT_KNASKEXPORT }
type AppInfo { version: String! @auth }
enum ConnectorType { EXTERNAL_IMPORT INTERNAL_IMPORT_FILE INTERNAL_ENRICHMENT INTERNAL_ANALYSIS INTERNAL_EXPORT_FILE STREAM }
input RegisterConnectorInput {
  id: ID!
  name: String! @constraint(minLength: 2, format: "not-blank")
  type: ConnectorType!
  scope: [String!]
  auto: Boolean
  auto_update: Boolean
  enrichment_resolution: String
  only_contextual: Boolean
  playbook_compatible: Boolean
  listen_callback_uri: String
}
${hasInfo ? `input ConnectorInfoInput {
  run_and_terminate: Boolean!
  buffering: Boolean!
  queue_threshold: Float!
  queue_messages_size: Float!
  next_run_datetime: DateTime
  last_run_datetime: DateTime
}
type ConnectorInfo {
  run_and_terminate: Boolean!
  buffering: Boolean!
  queue_threshold: Float!
  queue_messages_size: Float!
  next_run_datetime: DateTime
  last_run_datetime: DateTime
}` : ''}
type ConnectorQueueDetails { messages_number: Float! messages_size: Float! }
type WorkMessage { timestamp: DateTime message: String sequence: Int source: String }
type Work {
  id: ID!
  name: String
  connector: Connector
  timestamp: DateTime!
  status: State!
  received_time: DateTime
  processed_time: DateTime
  completed_time: DateTime
  completed_number: Int
  messages: [WorkMessage]
  errors: [WorkMessage]
}
type Connector {
  id: ID!
  name: String!
  active: Boolean
  auto: Boolean
  only_contextual: Boolean
  playbook_compatible: Boolean
  connector_type: String
  connector_scope: [String!]
  connector_state: String
  connector_state_reset: Boolean
  connector_queue_details: ConnectorQueueDetails!
  ${hasInfo ? 'connector_info: ConnectorInfo' : ''}
  updated_at: DateTime
  created_at: DateTime
}
type WorkEditMutations {
  delete: ID!
  ping: ID!
  toReceived(message: String): ID!
  toProcessed(message: String, inError: Boolean): ID!
}
type Query {
  about: AppInfo @auth
  connector(id: String!): Connector @auth(for: [MODULES])
  connectors: [Connector!]! @auth(for: [MODULES])
  work(id: ID!): Work @auth(for: [MODULES])
}
type Mutation {
  workAdd(connectorId: String!, friendlyName: String): Work! @auth(for: [CONNECTORAPI, MODULES_MODMANAGE, KNOWLEDGE_KNASKIMPORT, KNOWLEDGE_KNGETEXPORT_KNASKEXPORT])
  workEdit(id: ID!): WorkEditMutations @auth(for: [CONNECTORAPI, MODULES_MODMANAGE])
  pingConnector(id: ID!, state: String${hasInfo ? ', connectorInfo: ConnectorInfoInput' : ''}): Connector @auth(for: [CONNECTORAPI])
  registerConnector(input: RegisterConnectorInput): Connector @auth(for: [CONNECTORAPI])
  ${hasPush ? `stixBundlePush(connectorId: String!, bundle: String!${hasWorkId ? ', work_id: String' : ''}): Boolean @auth(for: [CONNECTORAPI])` : ''}
}`;
}

/** OpenCTI's error shapes (opencti-graphql/src/config/errors.ts). */
const authRequired = (): GraphQLError =>
  new GraphQLError('You must be logged in to do this.', { extensions: { code: 'AUTH_REQUIRED', data: { http_status: 401, genre: 'TECHNICAL' } } });
const invalidBundle = (cause: string): GraphQLError =>
  new GraphQLError('Invalid bundle', { extensions: { code: 'UNSUPPORTED_ERROR', data: { http_status: 500, genre: 'BUSINESS', cause } } });
const functional = (message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'FUNCTIONAL_ERROR', data: { http_status: 400, genre: 'BUSINESS' } } });

interface Ctx {
  authorized: boolean;
  bodyBytes: number;
}

export class OpenCtiTestServer {
  readonly connectors = new Map<string, ConnectorRecord>();
  readonly works = new Map<string, WorkRecord>();
  readonly pings: PingRecord[] = [];
  readonly pushes: PushRecord[] = [];
  readonly requests: RequestRecord[] = [];
  /** When each request carrying stixBundlePush arrived and was answered (Date.now(), ms), in the order answered. */
  readonly pushTimes: Array<{ arrived: number; answered: number }> = [];
  url = '';
  private readonly server: http.Server;
  private readonly schema;
  private readonly opts: Required<Omit<OpenCtiServerOptions, 'retryAfterSecs'>> & Pick<OpenCtiServerOptions, 'retryAfterSecs'>;
  private pushFailuresLeft: number;
  private requestFailuresLeft: number;
  private workSeq = 0;

  constructor(options: OpenCtiServerOptions = {}) {
    this.opts = {
      version: '6.8.0',
      token: 'test-token',
      invalidBundleIds: new Set(),
      failPushes: 0,
      failRequests: 0,
      failStatus: 503,
      queueBytes: 0,
      queueMessages: 0,
      workIdArg: 'auto',
      maxBodyBytes: 50 * 1024 * 1024,
      pushDelayMs: 0,
      ...options,
    };
    this.pushFailuresLeft = this.opts.failPushes;
    this.requestFailuresLeft = this.opts.failRequests;
    this.schema = buildSchema(sdl(this.opts.version, this.opts.workIdArg));
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every object of every accepted push, in order. */
  get objects(): Array<{ id: string; type: string }> {
    return this.pushes.flatMap((p) => p.bundle.objects);
  }

  /** Simulates "Reset state" in the UI: the next ping gets this state back instead of storing its own. */
  resetStateTo(state: string | null, connectorId?: string): void {
    for (const c of this.connectors.values()) {
      if (connectorId && c.id !== connectorId) continue;
      c.state = state;
      c.stateReset = true;
    }
  }

  /** Presets the state of a connector, as if an earlier deployment had saved it. */
  seedState(connectorId: string, state: string): void {
    const existing = this.connectors.get(connectorId);
    if (existing) existing.state = state;
    else this.connectors.set(connectorId, { id: connectorId, name: 'seeded', type: 'EXTERNAL_IMPORT', scope: [], auto: null, only_contextual: null, playbook_compatible: null, state, stateReset: false, info: null, registrations: 0 });
  }

  setQueueBytes(bytes: number): void {
    this.opts.queueBytes = bytes;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const arrived = Date.now();
    let push = false;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size <= this.opts.maxBodyBytes) chunks.push(chunk as Buffer);
    }
    const record: RequestRecord = { authorization: req.headers.authorization, bodyBytes: size, status: 200 };
    this.requests.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      if (push) this.pushTimes.push({ arrived, answered: Date.now() });
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/graphql') return reply(404, { error: 'not found' });
    if (size > this.opts.maxBodyBytes) return reply(413, { errors: [{ message: 'request entity too large' }] });
    let payload: { query?: string; variables?: Record<string, unknown>; operationName?: string };
    let document: DocumentNode;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      document = parse(String(payload.query ?? ''));
    } catch (err) {
      return reply(200, { errors: [{ message: (err as Error).message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    }
    record.operationName = payload.operationName;
    push = mentionsField(document, 'stixBundlePush');
    if (push && this.opts.pushDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.opts.pushDelayMs));
    const failPush = this.pushFailuresLeft > 0 && push;
    if (failPush || this.requestFailuresLeft > 0) {
      if (failPush) this.pushFailuresLeft--;
      else this.requestFailuresLeft--;
      const headers: Record<string, string> = this.opts.retryAfterSecs !== undefined ? { 'Retry-After': String(this.opts.retryAfterSecs) } : {};
      return reply(this.opts.failStatus, { message: 'Service Unavailable' }, headers);
    }
    const invalid = validate(this.schema, document);
    if (invalid.length > 0) {
      return reply(200, { errors: invalid.map((e) => ({ ...e.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) });
    }
    const ctx: Ctx = { authorized: req.headers.authorization === `Bearer ${this.opts.token}`, bodyBytes: size };
    const result = await execute({
      schema: this.schema,
      document,
      rootValue: this.root(),
      contextValue: ctx,
      variableValues: payload.variables ?? {},
      operationName: payload.operationName,
    });
    reply(200, { ...(result.errors ? { errors: result.errors.map((e) => e.toJSON()) } : {}), data: result.data ?? null });
  }

  private connectorView(c: ConnectorRecord): Record<string, unknown> {
    return {
      id: c.id,
      name: c.name,
      active: true,
      auto: c.auto,
      only_contextual: c.only_contextual,
      playbook_compatible: c.playbook_compatible,
      connector_type: c.type,
      connector_scope: c.scope,
      connector_state: c.state,
      connector_state_reset: c.stateReset,
      connector_queue_details: { messages_number: this.opts.queueMessages, messages_size: this.opts.queueBytes },
      connector_info: c.info,
    };
  }

  private root(): Record<string, unknown> {
    const guard = (ctx: Ctx): void => {
      if (!ctx.authorized) throw authRequired();
    };
    type Args = Record<string, any>;
    return {
      about: (_: Args, ctx: Ctx) => (guard(ctx), { version: this.opts.version }),
      connector: ({ id }: Args, ctx: Ctx) => {
        guard(ctx);
        const c = this.connectors.get(id);
        return c ? this.connectorView(c) : null;
      },
      connectors: (_: Args, ctx: Ctx) => (guard(ctx), [...this.connectors.values()].map((c) => this.connectorView(c))),
      work: ({ id }: Args, ctx: Ctx) => (guard(ctx), this.works.get(id) ?? null),
      registerConnector: ({ input }: Args, ctx: Ctx) => {
        guard(ctx);
        const prior = this.connectors.get(input.id);
        const c: ConnectorRecord = {
          id: input.id,
          name: input.name,
          type: input.type,
          scope: input.scope ?? [],
          auto: input.auto ?? null,
          only_contextual: input.only_contextual ?? null,
          playbook_compatible: input.playbook_compatible ?? null,
          state: prior?.state ?? null,
          stateReset: prior?.stateReset ?? false,
          info: prior?.info ?? null,
          registrations: (prior?.registrations ?? 0) + 1,
        };
        this.connectors.set(c.id, c);
        return this.connectorView(c);
      },
      // As the platform's pingConnector: a pending reset wins over the state sent, once.
      pingConnector: ({ id, state, connectorInfo }: Args, ctx: Ctx) => {
        guard(ctx);
        const c = this.connectors.get(id);
        if (!c) throw functional('Cannot ping this connector, connector not found');
        this.pings.push({ connectorId: id, state: state ?? null, connectorInfo: connectorInfo ?? null });
        if (c.stateReset) c.stateReset = false;
        else c.state = state ?? null;
        if (connectorInfo) c.info = connectorInfo;
        return this.connectorView(c);
      },
      workAdd: ({ connectorId, friendlyName }: Args, ctx: Ctx) => {
        guard(ctx);
        if (!this.connectors.has(connectorId)) throw functional('Connector not found');
        const w: WorkRecord = { id: `work_${connectorId}_${++this.workSeq}`, connectorId, name: friendlyName ?? null, status: 'wait' };
        this.works.set(w.id, w);
        return { ...w, timestamp: new Date().toISOString() };
      },
      workEdit: ({ id }: Args, ctx: Ctx) => {
        guard(ctx);
        const w = this.works.get(id);
        return {
          delete: () => (this.works.delete(id), id),
          ping: () => id,
          toReceived: () => (w && (w.status = 'progress'), id),
          toProcessed: ({ message, inError }: Args) => {
            if (w) Object.assign(w, { status: 'complete', message: message ?? undefined, inError: inError ?? false });
            return id;
          },
        };
      },
      stixBundlePush: (args: Args, ctx: Ctx) => {
        guard(ctx);
        let bundle: PushRecord['bundle'] & { type?: string };
        try {
          bundle = JSON.parse(args.bundle);
        } catch {
          throw invalidBundle('bundle is not JSON');
        }
        if (bundle.type !== 'bundle' || !Array.isArray(bundle.objects) || bundle.objects.length === 0) throw invalidBundle('Invalid stix bundle');
        if (!this.connectors.has(args.connectorId)) throw invalidBundle('Invalid connector');
        if (this.opts.workIdArg === 'require' && !args.work_id) throw invalidBundle('work_id is required');
        const bad = bundle.objects.find((o) => this.opts.invalidBundleIds.has(o.id));
        if (bad) throw invalidBundle(`object ${bad.id} failed validation`);
        this.pushes.push({ connectorId: args.connectorId, workId: args.work_id, bundle, bodyBytes: ctx.bodyBytes });
        return true;
      },
    };
  }
}

function mentionsField(document: DocumentNode, field: string): boolean {
  return document.definitions.some(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === field),
  );
}

export async function startOpenCtiServer(options: OpenCtiServerOptions = {}): Promise<OpenCtiTestServer> {
  return new OpenCtiTestServer(options).listen();
}
