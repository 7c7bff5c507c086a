// Options of the OpenCTI sink, each with its default, and their resolution.
import type { Logger } from '../../log';
import { silentLogger } from '../../log';

export interface OpenCtiSinkOptions {
  /** Sink name among the configured sinks (default `opencti`). */
  name?: string;
  /** OpenCTI base URL; requests go to `<url>/graphql`. */
  url: string;
  /** API token of the connector's user, already resolved (never a file path). */
  token: string;
  /** Connector id on the platform: a UUID, stable across restarts. */
  connectorId: string;
  /** Connector name shown in OpenCTI (default `TAXII 2.1`). */
  connectorName?: string;
  /** STIX types the connector imports, registered as its scope (default []). */
  scope?: string[];
  /** Timeout of one GraphQL request, in milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Verify TLS certificates (default true). */
  tlsVerify?: boolean;
  /** PEM text of extra CAs to trust (default none). */
  ca?: string;
  /** Proxy URL (default: the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment). */
  proxy?: string;
  /** Interval of pingConnector, in milliseconds (default 40 000). */
  pingIntervalMs?: number;
  /** Fetching pauses while the platform's ingestion queue is larger than this, in MB (default 500). */
  queueThresholdMb?: number;
  /** How long a queue reading is reused before asking again, in milliseconds (default 10 000). */
  queueCheckIntervalMs?: number;
  /** Largest GraphQL request body; bigger bundles are split before sending, in bytes (default 40 MB). */
  maxBodyBytes?: number;
  /** Most extra pushes spent narrowing an invalid bundle down to its bad objects (default 100). */
  maxNarrowingPushes?: number;
  logger?: Logger;
}

export type ResolvedOpenCtiSinkOptions = Required<Omit<OpenCtiSinkOptions, 'ca' | 'proxy'>> & Pick<OpenCtiSinkOptions, 'ca' | 'proxy'>;

export function resolveOpenCtiSinkOptions(o: OpenCtiSinkOptions): ResolvedOpenCtiSinkOptions {
  return {
    name: o.name ?? 'opencti',
    url: o.url,
    token: o.token,
    connectorId: o.connectorId,
    connectorName: o.connectorName ?? 'TAXII 2.1',
    scope: o.scope ?? [],
    timeoutMs: o.timeoutMs ?? 60_000,
    tlsVerify: o.tlsVerify ?? true,
    ca: o.ca,
    proxy: o.proxy,
    pingIntervalMs: o.pingIntervalMs ?? 40_000,
    queueThresholdMb: o.queueThresholdMb ?? 500,
    queueCheckIntervalMs: o.queueCheckIntervalMs ?? 10_000,
    maxBodyBytes: o.maxBodyBytes ?? 40 * 1024 * 1024,
    maxNarrowingPushes: o.maxNarrowingPushes ?? 100,
    logger: o.logger ?? silentLogger,
  };
}
