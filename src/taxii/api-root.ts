// A TAXII 2.1 API root (§4.2): its information (incl. `max_content_length`), its collections
// (§5.1) and its status resources (§4.3).
import { Collection } from './collection';
import { withTrailingSlash } from './query';
import { ApiRootInfo, Collections, Status, type CollectionInfo } from './schema';
import type { TaxiiTransport } from './transport';

/** Response size cap of an API root: the smaller of the configured cap and `max_content_length`. */
export interface ResponseCap {
  bytes?: number;
  reason?: string;
}

export class ApiRoot {
  readonly url: string;
  private infoPromise?: Promise<ApiRootInfo>;

  constructor(readonly transport: TaxiiTransport, url: string) {
    this.url = withTrailingSlash(url);
  }

  /** GET the API root information (§4.2), once: the answer is kept for the life of this object. */
  info(): Promise<ApiRootInfo> {
    if (this.infoPromise === undefined) {
      this.infoPromise = this.transport.get(this.url, ApiRootInfo, { endpoint: 'api-root' }).then((r) => r.data);
      this.infoPromise.catch(() => (this.infoPromise = undefined));
    }
    return this.infoPromise;
  }

  /**
   * Largest response accepted from this API root: the configured `max_response_bytes`, lowered to
   * the root's `max_content_length` when that is smaller. (§4.2 defines `max_content_length` for
   * request bodies; reading it as a response cap too is this connector's choice.)
   */
  async responseCap(): Promise<ResponseCap> {
    const configured = this.transport.maxResponseBytes;
    const declared = (await this.info()).max_content_length;
    if (declared !== undefined && (configured === undefined || declared < configured)) {
      return { bytes: declared, reason: `the API root's max_content_length is ${declared} bytes` };
    }
    return configured === undefined ? {} : { bytes: configured, reason: `max_response_bytes is ${configured}` };
  }

  /** GET the collections of this API root (§5.1); `{}` means none. */
  async collections(): Promise<CollectionInfo[]> {
    const { data } = await this.transport.get(`${this.url}collections/`, Collections, { endpoint: 'collections' });
    return data.collections ?? [];
  }

  /** A handle on one collection of this root (no request is made). */
  collection(id: string): Collection {
    return new Collection(this, id);
  }

  /** GET a status resource (§4.3.1), e.g. after adding objects. */
  async status(statusId: string): Promise<Status> {
    const { data } = await this.transport.get(`${this.url}status/${encodeURIComponent(statusId)}/`, Status, { endpoint: 'status' });
    return data;
  }
}
