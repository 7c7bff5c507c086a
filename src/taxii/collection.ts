// A TAXII 2.1 collection (§5.2) and its resources: objects (§5.4), one object (§5.6), versions
// (§5.8), manifest (§5.3) and adding objects (§5.5). One call is one request: paging lives in
// paging.ts, retries in the queue.
import type { z } from 'zod';
import { ConnectorError } from '../errors';
import type { ApiRoot } from './api-root';
import { describeRequest, TAXII_ERROR_CODES } from './errors';
import { toSearchParams, withParams, type ObjectsPageBody, type ObjectsQuery, type ObjectsPage, type Page, type PageRequest } from './query';
import { CollectionInfo, Envelope, Manifest, Status, Versions, type ManifestRecord } from './schema';
import { isTimestamp } from './timestamps';
import type { TaxiiEndpoint, TaxiiResponse } from './transport';

/** A page of manifest records (§5.3). */
export type ManifestPage = Page<ManifestRecord>;

/** A page of an object's versions (§5.8), newest first as the server sent them. */
export type VersionsPage = Omit<Page<string>, 'objects'> & { versions: string[] };

export class Collection {
  readonly url: string;

  constructor(readonly apiRoot: ApiRoot, readonly id: string) {
    this.url = `${apiRoot.url}collections/${encodeURIComponent(id)}/`;
  }

  /** GET this collection's description (§5.2). */
  async info(): Promise<CollectionInfo> {
    return (await this.apiRoot.transport.get(this.url, CollectionInfo, { endpoint: 'collection' })).data;
  }

  /** GET one page of objects (§5.4) with `added_after`, `limit`, `match[...]` and `next`. */
  async getObjectsPage(query: ObjectsQuery = {}): Promise<ObjectsPage> {
    const { res, request } = await this.list(`${this.url}objects/`, query, Envelope, 'objects');
    return this.page(res, res.data.objects ?? [], request);
  }

  /** GET one page of objects (§5.4) as getObjectsPage does, the envelope left unparsed. */
  async getObjectsPageBody(query: ObjectsQuery = {}): Promise<ObjectsPageBody> {
    const url = withParams(`${this.url}objects/`, toSearchParams(query));
    const cap = await this.apiRoot.responseCap();
    const res = await this.apiRoot.transport.getBytes(url, { endpoint: 'objects', maxResponseBytes: cap.bytes, capReason: cap.reason, withNext: query.next !== undefined });
    return {
      dateAddedFirst: this.dateHeader(res, 'x-taxii-date-added-first'),
      dateAddedLast: this.dateHeader(res, 'x-taxii-date-added-last'),
      bytes: res.body.length,
      body: res.body,
      request: { url, query: { ...query } },
      what: res.what,
      status: res.status,
      contentType: res.headers['content-type'],
    };
  }

  /** GET one object's versions as an envelope (§5.6); `match[version]` selects which. */
  async getObject(objectId: string, query: ObjectsQuery = {}): Promise<ObjectsPage> {
    const { res, request } = await this.list(`${this.url}objects/${encodeURIComponent(objectId)}/`, query, Envelope, 'object');
    return this.page(res, res.data.objects ?? [], request);
  }

  /** GET the version list of one object (§5.8). */
  async getObjectVersions(objectId: string, query: ObjectsQuery = {}): Promise<VersionsPage> {
    const { res, request } = await this.list(`${this.url}objects/${encodeURIComponent(objectId)}/versions/`, query, Versions, 'versions');
    const { objects: _none, ...page } = this.page(res, [], request);
    return { ...page, versions: res.data.versions ?? [] };
  }

  /** GET one page of the manifest (§5.3): id, date_added, version and media type per object. */
  async getManifestPage(query: ObjectsQuery = {}): Promise<ManifestPage> {
    const { res, request } = await this.list(`${this.url}manifest/`, query, Manifest, 'manifest');
    return this.page(res, res.data.objects ?? [], request);
  }

  /**
   * POST objects in an envelope (§5.5) and return the status resource (§4.3.1). A body larger than
   * the API root's `max_content_length` is refused here, before sending (TAXII_TOO_LARGE).
   */
  async addObjects(objects: readonly unknown[]): Promise<Status> {
    const body = { objects };
    const size = Buffer.byteLength(JSON.stringify(body));
    const limit = (await this.apiRoot.info()).max_content_length;
    const url = `${this.url}objects/`;
    if (limit !== undefined && size > limit) {
      throw new ConnectorError(
        `${describeRequest({ source: this.apiRoot.transport.source, method: 'POST', url })}: envelope of ${size} bytes exceeds the API root's max_content_length of ${limit} bytes; send fewer objects per request`,
        { code: TAXII_ERROR_CODES.tooLarge, retryable: false, details: { bytes: size, max_content_length: limit } },
      );
    }
    return (await this.apiRoot.transport.post(url, body, Status, { endpoint: 'add-objects' })).data;
  }

  private async list<S extends z.ZodType>(base: string, query: ObjectsQuery, schema: S, endpoint: TaxiiEndpoint): Promise<{ res: TaxiiResponse<z.output<S>>; request: PageRequest }> {
    const url = withParams(base, toSearchParams(query));
    const cap = await this.apiRoot.responseCap();
    const res = await this.apiRoot.transport.get(url, schema, { endpoint, maxResponseBytes: cap.bytes, capReason: cap.reason, withNext: query.next !== undefined });
    return { res, request: { url, query: { ...query } } };
  }

  private page<T>(res: TaxiiResponse<{ more?: boolean | null; next?: string }>, objects: T[], request: Page<T>['request']): Page<T> {
    return {
      objects,
      more: res.data.more === true,
      next: res.data.next === '' ? undefined : res.data.next,
      dateAddedFirst: this.dateHeader(res, 'x-taxii-date-added-first'),
      dateAddedLast: this.dateHeader(res, 'x-taxii-date-added-last'),
      bytes: res.bytes,
      body: res.body,
      request,
    };
  }

  /** A date header exactly as sent, or undefined (with a warning) when it is not RFC 3339. */
  private dateHeader(res: Pick<TaxiiResponse<unknown>, 'headers'>, name: string): string | undefined {
    const value = res.headers[name]?.trim();
    if (value === undefined || value === '') return undefined;
    if (isTimestamp(value)) return value;
    this.apiRoot.transport.log.warn('ignored a date header that is not an RFC 3339 timestamp', { header: name, value: value.slice(0, 64) });
    return undefined;
  }
}
