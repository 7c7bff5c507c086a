// Options of the HTTP sink (`sink.type: http`), each with its default, and their resolution.
import { ConnectorError } from '../../errors';
import type { Credentials } from '../../http/request';
import type { Logger } from '../../log';
import { silentLogger } from '../../log';

export type HttpSinkMode = 'bundle' | 'taxii';

export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

export interface HttpSinkOptions {
  /** Sink name among the configured sinks (default `http`). */
  name?: string;
  /** `bundle`: POST each bundle to `url`; `taxii`: add its objects to the TAXII 2.1 collection at `url` (default `bundle`). */
  mode?: HttpSinkMode;
  /** Bundle endpoint, or TAXII collection URL (`<api root>/collections/<id>/`). */
  url: string;
  /** Content type of bundle posts (default `application/stix+json;version=2.1`; TAXII mode always sends the TAXII type). */
  contentType?: string;
  /** Credentials, already resolved (default none). */
  credentials?: Credentials;
  /** Extra headers sent on every request (default none). */
  headers?: Record<string, string>;
  /** Verify TLS certificates (default true). */
  tlsVerify?: boolean;
  /** PEM text of extra CAs to trust (default none). */
  ca?: string;
  /** Proxy URL (default: the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment). */
  proxy?: string;
  /** Timeout of one request, in milliseconds (default 60 000). */
  timeoutMs?: number;
  /** TAXII mode: longest wait for a status to complete, in milliseconds (default 600 000). */
  statusTimeoutMs?: number;
  /** TAXII mode: first wait between status polls, doubled each poll, in milliseconds (default 1 000). */
  statusPollMs?: number;
  /** TAXII mode: longest wait between status polls, in milliseconds (default 30 000). */
  statusPollMaxMs?: number;
  logger?: Logger;
}

export type ResolvedHttpSinkOptions = Required<Omit<HttpSinkOptions, 'ca' | 'proxy'>> & Pick<HttpSinkOptions, 'ca' | 'proxy'>;

export function resolveHttpSinkOptions(o: HttpSinkOptions): ResolvedHttpSinkOptions {
  try {
    new URL(o.url);
  } catch {
    throw new ConnectorError(`HTTP sink URL "${o.url}" is not a URL`, { code: 'CONFIG_SINK_URL', retryable: false });
  }
  return {
    name: o.name ?? 'http',
    mode: o.mode ?? 'bundle',
    url: o.url,
    contentType: o.contentType ?? STIX_MEDIA_TYPE,
    credentials: o.credentials ?? { type: 'none' },
    headers: o.headers ?? {},
    tlsVerify: o.tlsVerify ?? true,
    ca: o.ca,
    proxy: o.proxy,
    timeoutMs: o.timeoutMs ?? 60_000,
    statusTimeoutMs: o.statusTimeoutMs ?? 600_000,
    statusPollMs: o.statusPollMs ?? 1_000,
    statusPollMaxMs: o.statusPollMaxMs ?? 30_000,
    logger: o.logger ?? silentLogger,
  };
}
