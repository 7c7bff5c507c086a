// The TAXII 2.1 server discovery resource (§4.1): which API roots a server offers and its default.
import { ConnectorError } from '../errors';
import { displayUrl } from '../http/request';
import { TAXII_ERROR_CODES } from './errors';
import { resolveUrl, withTrailingSlash } from './query';
import { Discovery } from './schema';
import type { TaxiiTransport } from './transport';

/** Discovery as the client uses it: API root URLs resolved to absolute URLs with a trailing slash. */
export interface ServerInfo {
  title?: string;
  description?: string;
  contact?: string;
  /** The server's default API root (§4.1 `default`), absolute. */
  defaultApiRoot?: string;
  /** Every API root the server lists (§4.1 `api_roots`), absolute. */
  apiRoots: string[];
}

/** A TAXII server, known by its discovery URL (TAXII 2.1 §4.1, usually `https://host/taxii2/`). */
export class Server {
  readonly url: string;

  constructor(private readonly transport: TaxiiTransport, discoveryUrl: string) {
    this.url = withTrailingSlash(discoveryUrl);
  }

  /**
   * GET the discovery resource. API root entries may be absolute URLs, absolute paths or paths
   * relative to the discovery URL; all are resolved against it.
   */
  async discover(): Promise<ServerInfo> {
    const { data } = await this.transport.get(this.url, Discovery, { endpoint: 'discovery' });
    const apiRoots = (data.api_roots ?? []).map((r) => resolveUrl(this.url, r));
    const defaultApiRoot = data.default !== undefined ? resolveUrl(this.url, data.default) : undefined;
    return { title: data.title, description: data.description, contact: data.contact, defaultApiRoot, apiRoots };
  }

  /**
   * The API root to use when none is configured: the discovery `default`, else the only one listed.
   * With several and no default, the first is used and a warning logged.
   */
  async defaultApiRoot(): Promise<string> {
    const info = await this.discover();
    if (info.defaultApiRoot !== undefined) return info.defaultApiRoot;
    const [first] = info.apiRoots;
    if (first === undefined) {
      throw new ConnectorError(
        `source "${this.transport.source}": the TAXII server at ${displayUrl(this.url)} lists no API root and no default; set api_root`,
        { code: TAXII_ERROR_CODES.noApiRoot, retryable: false },
      );
    }
    if (info.apiRoots.length > 1) {
      this.transport.log.warn('several API roots and no default, using the first', { api_root: displayUrl(first), count: info.apiRoots.length });
    }
    return first;
  }
}
