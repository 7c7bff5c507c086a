// The Sink port: what the deliver worker knows of a destination. Concrete sinks live in their own
// folders; only the factory and the CLI know them.
import type { Rejection, StixBundle } from '../stix/types';

/** What a delivery belongs to (no secrets: names and ids only). */
export interface DeliveryContext {
  source: string;
  collection: string;
  runId: string;
  /** Sink-side unit of work for this run (OpenCTI work id), when the sink opened one. */
  workId?: string;
}

export interface DeliveryResult {
  /** Objects the sink accepted. */
  delivered: number;
  /** Objects the sink refused one by one (the rest of the bundle was delivered). */
  rejected: Rejection[];
}

export interface RunInfo {
  source: string;
  collection: string;
  collectionTitle: string;
  runId: string;
  startedAt: string;
}

export interface RunSummary {
  pages: number;
  fetched: number;
  delivered: number;
  rejected: number;
  deadLettered: number;
}

export interface Sink {
  /** Unique name among the configured sinks (defaults to the type). */
  readonly name: string;
  readonly type: string;
  /** Checks the destination once at start-up (version gates, registration); throws a ConnectorError. */
  start(): Promise<void>;
  /** Delivers one bundle. Throws a ConnectorError for a failure of the whole bundle. */
  deliver(bundle: StixBundle, ctx: DeliveryContext): Promise<DeliveryResult>;
  /**
   * Delivers a bundle already serialized (as the pipeline stores it: JSON, a string or UTF-8 bytes),
   * sparing a parse and a re-serialization. Optional: sinks without it get `deliver`.
   */
  deliverText?(text: string | Buffer, bundle: { id: string; objects: number }, ctx: DeliveryContext): Promise<DeliveryResult>;
  /** Readiness check for /readyz; throws when the destination cannot be reached. */
  health(): Promise<void>;
  /** True while the destination asks us to slow down (fetching then waits). Optional. */
  backpressure?(): Promise<boolean>;
  /** Opens a sink-side unit of work for a run; returns its id. Optional. */
  beginRun?(run: RunInfo): Promise<string | undefined>;
  /** Closes the unit of work of a run with its counts. Optional. */
  endRun?(run: RunInfo, workId: string | undefined, summary: RunSummary): Promise<void>;
  close(): Promise<void>;
}

/** What a platform that keeps the connector's state wants to hear with each ping. */
export interface ConnectorStatusInfo {
  buffering: boolean;
  queueThresholdMb: number;
  queueMessagesSizeMb: number;
  nextRunAt?: string;
  lastRunAt?: string;
}

/** A sink whose platform stores the connector's state (OpenCTI): our cursors, as JSON text. */
export interface StateKeeper {
  /** The state the platform held when the connector registered. */
  initialState(): string | null;
  /** The last reading of the platform's ingestion queue. */
  queueStatus(): Pick<ConnectorStatusInfo, 'buffering' | 'queueThresholdMb' | 'queueMessagesSizeMb'>;
  /** One ping now; `reset` when the platform holds another state than the one sent. */
  ping(state: string | null, info: ConnectorStatusInfo): Promise<{ reset: boolean; state: string | null }>;
  /** Pings now and periodically; `onReset` gets the state an administrator set instead of ours. */
  startPinging(
    getState: () => string | null | Promise<string | null>,
    getInfo: () => ConnectorStatusInfo | Promise<ConnectorStatusInfo>,
    onReset: (state: string | null) => void | Promise<void>,
  ): { stop(): Promise<void> };
}

export function isStateKeeper(sink: Sink): sink is Sink & StateKeeper {
  const s = sink as Partial<StateKeeper>;
  return typeof s.initialState === 'function' && typeof s.startPinging === 'function' && typeof s.queueStatus === 'function';
}

/** A bundle as the pipeline stores it (JSON: a string or UTF-8 bytes), as text. */
export function storedText(json: string | Buffer): string {
  return typeof json === 'string' ? json : json.toString('utf8');
}
