// The configuration contract: every key, its default and its meaning. Keys are snake_case, units
// are in the names, unions carry a `type:` tag, unknown keys are errors. config.yml.sample follows
// this file's order.
import { z } from 'zod';
import { isTimestamp } from '../taxii/timestamps';
import { parseIsoDuration } from './duration';

const isoDuration = z
  .string()
  .refine((v) => { const ms = parseIsoDuration(v); return ms !== undefined && ms > 0; }, { message: 'must be an ISO-8601 duration such as PT1H or P7D' });

const rfc3339 = z.string().refine(isTimestamp, { message: 'must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z' });

/** An http(s) URL: a bare `z.url()` takes `host:port` for a URL whose scheme is `host:`. */
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' });

const secret = z.string().min(1, 'must not be empty');

export const REGIONS = ['us', 'eu', 'sg', 'jp', 'au', 'in', 'ae'] as const;
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export const TLP_NAMES = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;

export const TlsConfig = z.strictObject({
  /** Verify the server's certificate chain and host name. */
  verify: z.boolean().default(true),
  /** PEM file with extra CA certificates to trust (added to Node's defaults). */
  ca_file: z.string().optional(),
});

export const AuthConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('bearer'), token: secret.optional(), token_file: z.string().optional() }),
  z.strictObject({
    type: z.literal('basic'),
    username: z.string().min(1),
    password: secret.optional(),
    password_file: z.string().optional(),
  }),
]);

export const EnrichConfig = z.strictObject({
  /** Identity set as `created_by_ref` on objects that have none. */
  author: z.strictObject({ name: z.string().min(1), identity_class: z.string().default('organization') }).optional(),
  /** Set the author on every object, replacing the one the feed sent. */
  override_author: z.boolean().default(false),
  /** TLP 2.0 markings added to every object's `object_marking_refs`. */
  markings: z.array(z.enum(TLP_NAMES)).default([]),
  /** Labels added to every SDO. */
  labels: z.array(z.string().min(1)).default([]),
  /** `confidence` (0..100) set where the object has none. */
  confidence: z.number().int().min(0).max(100).optional(),
  /** OpenCTI hints on indicators. */
  opencti: z
    .strictObject({
      score: z.number().int().min(0).max(100).optional(),
      main_observable_type: z.string().optional(),
      create_observables: z.boolean().optional(),
    })
    .default({}),
});

export const FilterConfig = z.strictObject({
  /** Only these STIX types are kept (empty: all). */
  include_types: z.array(z.string()).default([]),
  /** These STIX types are dropped. */
  exclude_types: z.array(z.string()).default([]),
  /** Drop objects with `revoked: true`. */
  drop_revoked: z.boolean().default(false),
  /** Drop indicators whose `valid_until` is in the past. */
  drop_expired_indicators: z.boolean().default(false),
});

export const SourceConfig = z.strictObject({
  /** Name used in job ids, cursors, logs and metrics: letters, digits, `-` and `_`. */
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"'),
  /** Fills `discovery_url` (and page bounds) for a known feed. */
  preset: z.enum(['trendmicro']).optional(),
  /** Region of the preset. */
  region: z.enum(REGIONS).optional(),
  /** TAXII 2.1 discovery URL (or, with `api_root`, unused). */
  discovery_url: httpUrl.optional(),
  /** API root URL to use instead of the discovery's default root. */
  api_root: httpUrl.optional(),
  auth: AuthConfig.default({ type: 'none' }),
  /** Collection ids or titles; `*` means every collection the credentials can read. */
  collections: z.array(z.string().min(1)).min(1).default(['*']),
  /** Objects per page (`limit`); clamped to the server's documented bounds. */
  page_size: z.number().int().positive().default(1000),
  /** How far back the first run starts, as an ISO-8601 duration. */
  initial_history: isoDuration.default('P7D'),
  /** Absolute start of the first run; wins over `initial_history`. */
  added_after: rfc3339.optional(),
  /** TAXII `match[...]` filters sent on every request. */
  match: z
    .strictObject({
      type: z.array(z.string().min(1)).optional(),
      id: z.array(z.string().min(1)).optional(),
      spec_version: z.array(z.string().min(1)).optional(),
    })
    .default({}),
  /** Timeout of one HTTP request, in seconds. */
  timeout_secs: z.number().positive().default(60),
  tls: TlsConfig.default({ verify: true }),
  /** HTTP(S) proxy URL; HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment otherwise. */
  proxy: httpUrl.optional(),
  /** Largest response body accepted, in bytes (the server's `max_content_length` when smaller). */
  max_response_bytes: z.number().int().positive().default(256 * 1024 * 1024),
  enrich: EnrichConfig.default({ override_author: false, markings: [], labels: [], opencti: {} }),
  filter: FilterConfig.default({ include_types: [], exclude_types: [], drop_revoked: false, drop_expired_indicators: false }),
});

export const StixConfig = z.strictObject({
  /** Upgrade STIX 2.0 objects to 2.1 instead of rejecting them. */
  upgrade_2_0: z.boolean().default(true),
  /** Most objects in one delivered bundle. */
  bundle_max_objects: z.number().int().positive().default(5000),
  /** Largest delivered bundle, serialized, in bytes (OpenCTI's body limit is 50 MB). */
  bundle_max_bytes: z.number().int().positive().default(5 * 1024 * 1024),
});

export const PipelineConfig = z.strictObject({
  /** Pages of one collection fetched but not yet fully delivered, at most. */
  max_pages_in_flight: z.number().int().positive().default(4),
  /** Fetching waits while the deliver queue holds more bundles than this. */
  max_pending_bundles: z.number().int().positive().default(200),
  /** Concurrent fetch jobs per worker process. */
  fetch_concurrency: z.number().int().positive().default(2),
  /** Concurrent deliver jobs per worker process. */
  deliver_concurrency: z.number().int().positive().default(4),
  /** Worker threads per process that normalize pages, off the event loop (0: on it). */
  normalize_threads: z.number().int().min(0).max(64).default(1),
  /** Attempts per job before it is dead-lettered. */
  max_attempts: z.number().int().positive().default(8),
  /** First retry delay; doubles each attempt, with jitter, in milliseconds. */
  backoff_base_ms: z.number().int().positive().default(1000),
  /** Longest retry delay, in milliseconds. */
  backoff_max_ms: z.number().int().positive().default(300_000),
  /** Resume overlap before the saved cursor, in seconds, so boundary objects are not lost. */
  resume_overlap_secs: z.number().min(0).default(1),
  /** A run without progress for this long (and two duration periods) is taken over by the next tick, in seconds. */
  stale_run_secs: z.number().int().positive().default(3600),
  /** How long a worker holds a job before another may take it over as stalled, in seconds. */
  lock_duration_secs: z.number().positive().default(30),
});

const FileSink = z.strictObject({
  type: z.literal('file'),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  /** Folder bundles are written under, as <path>/<source>/<collection>/<bundle id>.json. */
  path: z.string().min(1).default('./data/bundles'),
});

const HttpSink = z.strictObject({
  type: z.literal('http'),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  /** `bundle`: POST the bundle to `url`; `taxii`: push to the TAXII 2.1 collection at `url`. */
  mode: z.enum(['bundle', 'taxii']).default('bundle'),
  url: httpUrl,
  content_type: z.string().default('application/stix+json;version=2.1'),
  auth: AuthConfig.default({ type: 'none' }),
  headers: z.record(z.string(), z.string()).default({}),
  tls: TlsConfig.default({ verify: true }),
  timeout_secs: z.number().positive().default(60),
  /** TAXII mode: longest wait for a status resource to complete, in seconds. */
  status_timeout_secs: z.number().positive().default(600),
});

const OpenCtiSink = z.strictObject({
  type: z.literal('opencti'),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
});

export const SinkConfig = z.discriminatedUnion('type', [FileSink, HttpSink, OpenCtiSink]);

export const OpenCtiConfig = z.strictObject({
  url: httpUrl,
  token: secret.optional(),
  token_file: z.string().optional(),
  /** Fetching pauses while OpenCTI's ingestion queue is larger than this, in megabytes. */
  queue_threshold_mb: z.number().positive().default(500),
  /** Interval of pingConnector, in seconds. */
  ping_interval_secs: z.number().positive().default(40),
  timeout_secs: z.number().positive().default(60),
  tls: TlsConfig.default({ verify: true }),
});

export const OpsConfig = z.strictObject({
  /** host:port of the ops server (dashboard, metrics, health, status). */
  listen: z.string().regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port').default('127.0.0.1:9464'),
  auth: z.strictObject({ username: z.string().min(1), password: secret.optional(), password_file: z.string().optional() }).optional(),
});

export const ConfigSchema = z.strictObject({
  connector: z
    .strictObject({
      /** UUID that identifies this connector in OpenCTI. */
      id: z.uuid().optional(),
      name: z.string().min(1).default('TAXII 2.1'),
      log_level: z.enum(LOG_LEVELS).default('info'),
      log_format: z.enum(['json', 'pretty']).default('json'),
      /** Interval between runs of each collection. */
      duration_period: isoDuration.default('PT1H'),
      /** Grace period for running jobs on SIGTERM, in seconds. */
      shutdown_timeout_secs: z.number().positive().default(30),
    })
    .default({ name: 'TAXII 2.1', log_level: 'info', log_format: 'json', duration_period: 'PT1H', shutdown_timeout_secs: 30 }),
  redis: z
    .strictObject({
      url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
      /** Key prefix of every queue and key; wrap it in {braces} for Redis Cluster. */
      prefix: z.string().min(1).default('taxii'),
    })
    .default({ url: 'redis://127.0.0.1:6379', prefix: 'taxii' }),
  sources: z.array(SourceConfig).min(1, 'at least one source is needed'),
  stix: StixConfig.default({ upgrade_2_0: true, bundle_max_objects: 5000, bundle_max_bytes: 5 * 1024 * 1024 }),
  pipeline: PipelineConfig.default({
    max_pages_in_flight: 4, max_pending_bundles: 200, fetch_concurrency: 2, deliver_concurrency: 4, normalize_threads: 1, max_attempts: 8,
    backoff_base_ms: 1000, backoff_max_ms: 300_000, resume_overlap_secs: 1, stale_run_secs: 3600, lock_duration_secs: 30,
  }),
  /** The one-sink form; `sinks` lists several. Default: files under ./data/bundles. */
  sink: SinkConfig.optional(),
  sinks: z.array(SinkConfig).min(1).optional(),
  opencti: OpenCtiConfig.optional(),
  ops: OpsConfig.default({ listen: '127.0.0.1:9464' }),
});

export type RawConfig = z.input<typeof ConfigSchema>;
export type ParsedConfig = z.output<typeof ConfigSchema>;
export type SourceConfig = z.output<typeof SourceConfig>;
export type SinkConfig = z.output<typeof SinkConfig>;
export type AuthConfig = z.output<typeof AuthConfig>;
export type TlsConfig = z.output<typeof TlsConfig>;
export type EnrichConfig = z.output<typeof EnrichConfig>;
export type FilterConfig = z.output<typeof FilterConfig>;
export type StixConfig = z.output<typeof StixConfig>;
export type PipelineConfig = z.output<typeof PipelineConfig>;
export type OpenCtiConfig = z.output<typeof OpenCtiConfig>;
