// The TAXII 2.1 client the connector uses per source: discovery (or a configured API root), the
// collections it may read, single pages for the pipeline and paging generators for everything else.
import { ConnectorError } from '../errors';
import { displayUrl, readCaFile, type Credentials } from '../http/request';
import type { Logger } from '../log';
import { ApiRoot } from './api-root';
import type { Collection, ManifestPage, VersionsPage } from './collection';
import { TAXII_ERROR_CODES } from './errors';
import { paginate, type PagingOptions } from './paging';
import { clampPageSize, type PageBounds } from './presets';
import type { ObjectsPage, ObjectsPageBody, ObjectsQuery } from './query';
import type { CollectionInfo, Status } from './schema';
import { Server, type ServerInfo } from './server';
import { TaxiiTransport, type TransportOptions } from './transport';

/** Transport options (source, credentials, timeout, TLS, proxy, response cap) plus the TAXII ones. */
export interface TaxiiClientOptions extends TransportOptions {
  /** TAXII 2.1 discovery URL (§4.1). Needed unless `apiRootUrl` is set. */
  discoveryUrl?: string;
  /** API root URL (§4.2) to use instead of the discovery's default. */
  apiRootUrl?: string;
  /** The server's documented `limit` bounds; requested limits are clamped into them. */
  pageBounds?: PageBounds;
  /** Defaults for `objectPages` / `manifestPages`. */
  paging?: PagingOptions;
}

/** A collection by id under the client's API root, or under a given API root. */
export type CollectionRef = string | { apiRootUrl: string; id: string };

export interface ResolvedCollection {
  apiRootUrl: string;
  id: string;
  /** The collection's title, or its id when it has none. */
  title: string;
  canRead: boolean;
  canWrite: boolean;
}

/** What the workers need of a TAXII source (the class below is one implementation). */
export interface TaxiiReader {
  readonly source: string;
  resolveCollections(selectors: readonly string[]): Promise<ResolvedCollection[]>;
  getObjectsPage(collection: CollectionRef, query?: ObjectsQuery): Promise<ObjectsPage>;
  /** getObjectsPage with the envelope left unparsed, as bytes, for the pipeline to parse off the event loop. */
  getObjectsPageBody(collection: CollectionRef, query?: ObjectsQuery): Promise<ObjectsPageBody>;
  objectPages(collection: CollectionRef, query?: ObjectsQuery, options?: PagingOptions): AsyncGenerator<ObjectsPage, void, undefined>;
  getManifestPage(collection: CollectionRef, query?: ObjectsQuery): Promise<ManifestPage>;
  close(): void;
}

export class TaxiiClient implements TaxiiReader {
  readonly source: string;
  private readonly transport: TaxiiTransport;
  private readonly roots = new Map<string, ApiRoot>();
  private defaultRoot?: Promise<ApiRoot>;
  private readonly warnedLimits = new Set<number>();

  constructor(private readonly options: TaxiiClientOptions) {
    this.source = options.source;
    if (options.discoveryUrl === undefined && options.apiRootUrl === undefined) {
      throw new ConnectorError(`source "${options.source}": a discovery URL or an API root URL is needed`, { code: TAXII_ERROR_CODES.config, retryable: false });
    }
    this.transport = new TaxiiTransport(options);
  }

  /** The server behind the discovery URL (TAXII 2.1 §4.1). */
  server(): Server {
    if (this.options.discoveryUrl === undefined) {
      throw new ConnectorError(`source "${this.source}": no discovery URL is configured`, { code: TAXII_ERROR_CODES.config, retryable: false });
    }
    return new Server(this.transport, this.options.discoveryUrl);
  }

  /** GET the discovery resource (§4.1). */
  discover(): Promise<ServerInfo> {
    return this.server().discover();
  }

  /** An API root (§4.2): the given URL, else the configured one, else the discovery's default. */
  apiRoot(url?: string): Promise<ApiRoot> {
    const wanted = url ?? this.options.apiRootUrl;
    if (wanted !== undefined) return Promise.resolve(this.rootAt(wanted));
    if (this.defaultRoot === undefined) {
      this.defaultRoot = this.server()
        .defaultApiRoot()
        .then((u) => this.rootAt(u));
      this.defaultRoot.catch(() => (this.defaultRoot = undefined));
    }
    return this.defaultRoot;
  }

  /** GET the collections of an API root (§5.1). */
  async collections(apiRootUrl?: string): Promise<CollectionInfo[]> {
    return (await this.apiRoot(apiRootUrl)).collections();
  }

  /**
   * Turns configured selectors into collections: `*` means every collection the credentials can
   * read; otherwise each selector is an id, a title or an alias. A selector that matches nothing
   * (or a collection that cannot be read) is an error naming it.
   */
  async resolveCollections(selectors: readonly string[]): Promise<ResolvedCollection[]> {
    const root = await this.apiRoot();
    const all = await root.collections();
    const resolved = (c: CollectionInfo): ResolvedCollection => ({ apiRootUrl: root.url, id: c.id, title: c.title ?? c.id, canRead: c.can_read, canWrite: c.can_write });
    const where = `source "${this.source}": API root ${displayUrl(root.url)}`;
    if (selectors.includes('*')) {
      const readable = all.filter((c) => c.can_read);
      if (readable.length === 0) {
        throw new ConnectorError(`${where} has no collection these credentials can read`, { code: TAXII_ERROR_CODES.collectionNotFound, retryable: false });
      }
      return readable.map(resolved);
    }
    const out = new Map<string, ResolvedCollection>();
    const missing: string[] = [];
    const unreadable: string[] = [];
    for (const selector of selectors) {
      const lower = selector.toLowerCase();
      const match =
        all.find((c) => c.id === selector) ??
        all.find((c) => c.title === selector || c.alias === selector) ??
        all.find((c) => c.title?.toLowerCase() === lower);
      if (match === undefined) missing.push(selector);
      else if (!match.can_read) unreadable.push(selector);
      else out.set(match.id, resolved(match));
    }
    if (missing.length > 0) {
      const available = all.slice(0, 10).map((c) => `${c.id}${c.title ? ` "${c.title}"` : ''}`);
      throw new ConnectorError(
        `${where}: no collection matches ${missing.map((s) => `"${s}"`).join(', ')} (available: ${available.join(', ') || 'none'}${all.length > 10 ? ', …' : ''})`,
        { code: TAXII_ERROR_CODES.collectionNotFound, retryable: false, details: { selectors: missing } },
      );
    }
    if (unreadable.length > 0) {
      throw new ConnectorError(`${where}: these credentials cannot read collection ${unreadable.map((s) => `"${s}"`).join(', ')}`, {
        code: TAXII_ERROR_CODES.collectionNotReadable,
        retryable: false,
        details: { selectors: unreadable },
      });
    }
    return [...out.values()];
  }

  /** A handle on a collection (§5.2); resolves the API root, makes no request of its own. */
  async collection(ref: CollectionRef): Promise<Collection> {
    const root = await this.apiRoot(typeof ref === 'string' ? undefined : ref.apiRootUrl);
    return root.collection(typeof ref === 'string' ? ref : ref.id);
  }

  /** One page of objects (§5.4): exactly one request, for the pipeline's one-page-per-job paging. */
  async getObjectsPage(ref: CollectionRef, query: ObjectsQuery = {}): Promise<ObjectsPage> {
    return (await this.collection(ref)).getObjectsPage(this.clampQuery(query));
  }

  async getObjectsPageBody(ref: CollectionRef, query: ObjectsQuery = {}): Promise<ObjectsPageBody> {
    return (await this.collection(ref)).getObjectsPageBody(this.clampQuery(query));
  }

  /** Every page of objects (§5.4) for a query, guarded against server loops (see paging.ts). */
  objectPages(ref: CollectionRef, query: ObjectsQuery = {}, options?: PagingOptions): AsyncGenerator<ObjectsPage, void, undefined> {
    return paginate((q) => this.getObjectsPage(ref, q), (p) => p.objects, query, this.describe(ref), { ...this.options.paging, ...options });
  }

  /** One page of the manifest (§5.3). */
  async getManifestPage(ref: CollectionRef, query: ObjectsQuery = {}): Promise<ManifestPage> {
    return (await this.collection(ref)).getManifestPage(this.clampQuery(query));
  }

  /** Every page of the manifest (§5.3). */
  manifestPages(ref: CollectionRef, query: ObjectsQuery = {}, options?: PagingOptions): AsyncGenerator<ManifestPage, void, undefined> {
    return paginate((q) => this.getManifestPage(ref, q), (p) => p.objects, query, this.describe(ref), { ...this.options.paging, ...options });
  }

  /** One object's versions as an envelope (§5.6). */
  async getObject(ref: CollectionRef, objectId: string, query: ObjectsQuery = {}): Promise<ObjectsPage> {
    return (await this.collection(ref)).getObject(objectId, query);
  }

  /** The version list of one object (§5.8). */
  async getObjectVersions(ref: CollectionRef, objectId: string, query: ObjectsQuery = {}): Promise<VersionsPage> {
    return (await this.collection(ref)).getObjectVersions(objectId, query);
  }

  /** Adds objects to a collection (§5.5); returns the status resource. */
  async addObjects(ref: CollectionRef, objects: readonly unknown[]): Promise<Status> {
    return (await this.collection(ref)).addObjects(objects);
  }

  /** GET a status resource (§4.3.1) of the client's (or the given) API root. */
  async getStatus(statusId: string, apiRootUrl?: string): Promise<Status> {
    return (await this.apiRoot(apiRootUrl)).status(statusId);
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.transport.close();
  }

  private rootAt(url: string): ApiRoot {
    const root = new ApiRoot(this.transport, url);
    const known = this.roots.get(root.url);
    if (known !== undefined) return known;
    this.roots.set(root.url, root);
    return root;
  }

  private clampQuery(query: ObjectsQuery): ObjectsQuery {
    if (query.limit === undefined || this.options.pageBounds === undefined) return query;
    const warn = !this.warnedLimits.has(query.limit);
    this.warnedLimits.add(query.limit);
    const limit = clampPageSize(query.limit, this.options.pageBounds, warn ? this.transport.log : undefined);
    return limit === query.limit ? query : { ...query, limit };
  }

  private describe(ref: CollectionRef): string {
    return `source "${this.source}" collection ${typeof ref === 'string' ? ref : ref.id}`;
  }
}

/** The parts of a resolved source the client is built from (structural: see src/config/resolve.ts). */
export interface TaxiiSourceSettings {
  name: string;
  discoveryUrl?: string;
  apiRootUrl?: string;
  credentials: Credentials;
  pageBounds?: PageBounds;
  timeout_secs: number;
  tls: { verify: boolean; ca_file?: string };
  proxy?: string;
  max_response_bytes: number;
}

/** Client options from a configured source (reads the CA file). */
export function taxiiClientOptions(source: TaxiiSourceSettings, logger?: Logger): TaxiiClientOptions {
  return {
    source: source.name,
    discoveryUrl: source.discoveryUrl,
    apiRootUrl: source.apiRootUrl,
    credentials: source.credentials,
    timeoutMs: Math.round(source.timeout_secs * 1000),
    tlsVerify: source.tls.verify,
    ca: readCaFile(source.tls.ca_file),
    proxy: source.proxy,
    maxResponseBytes: source.max_response_bytes,
    pageBounds: source.pageBounds,
    logger,
  };
}
