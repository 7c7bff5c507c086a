// The connector's life on the platform, as pycti's helper leads it: registration (which hands back
// the saved state), pingConnector every 40 s (keeps it "active", stores the state, reveals a reset),
// works (one per run) and the ingestion queue figures used for backpressure.
import { describeError } from '../../errors';
import type { Logger } from '../../log';
import type { OpenCtiClient } from './client';
import { PING, QUEUE, REGISTER, WORK_ADD, WORK_TO_PROCESSED } from './documents';

/** What pingConnector reports (`ConnectorInfoInput`); sizes in decimal megabytes, as pycti sends. */
export interface ConnectorInfo {
  /** The connector runs once and exits (default false: this is a long-running service). */
  runAndTerminate?: boolean;
  /** Fetching is paused because the platform's queue is above the threshold. */
  buffering: boolean;
  /** Queue size above which fetching pauses, in MB. */
  queueThresholdMb: number;
  /** Current size of the connector's queue on the platform, in MB. */
  queueMessagesSizeMb: number;
  /** Next scheduled run (ISO 8601), when known. */
  nextRunAt?: string;
  /** Start of the last run (ISO 8601), when known. */
  lastRunAt?: string;
}

export interface PingResult {
  /** The platform holds another state than the one sent: an administrator reset it. */
  reset: boolean;
  /** The state the platform holds (JSON text, or null after a reset). */
  state: string | null;
}

export interface QueueDetails {
  messages: number;
  bytes: number;
}

export interface Pinger {
  /** Stops the loop and waits for a ping in flight. */
  stop(): Promise<void>;
}

export interface ConnectorIdentity {
  id: string;
  name: string;
  /** STIX types the connector imports. */
  scope: string[];
}

/** True when the backlog (bytes) reaches the threshold (MB, decimal as pycti counts): pause fetching. */
export function isAboveThreshold(bytes: number, thresholdMb: number): boolean {
  return bytes / 1_000_000 >= thresholdMb;
}

function toInfoInput(info: ConnectorInfo): Record<string, unknown> {
  return {
    run_and_terminate: info.runAndTerminate ?? false,
    buffering: info.buffering,
    queue_threshold: info.queueThresholdMb,
    queue_messages_size: info.queueMessagesSizeMb,
    next_run_datetime: info.nextRunAt ?? null,
    last_run_datetime: info.lastRunAt ?? null,
  };
}

/** Two states are the same when equal as text or as JSON (key order aside). */
export function sameState(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  try {
    return canonical(JSON.parse(a)) === canonical(JSON.parse(b));
  } catch {
    return false;
  }
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, val]) => `${JSON.stringify(k)}:${canonical(val)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export class OpenCtiConnector {
  constructor(
    private readonly client: OpenCtiClient,
    private readonly identity: ConnectorIdentity,
    private readonly logger: Logger,
  ) {}

  /** Upserts the connector (by id); returns the state the platform holds for it. */
  async register(): Promise<string | null> {
    const { id, name, scope } = this.identity;
    const input = { id, name, type: 'EXTERNAL_IMPORT', scope, auto: false, only_contextual: false, playbook_compatible: false };
    const reply = await this.client.request(REGISTER, { input });
    return reply.registerConnector?.connector_state ?? null;
  }

  async ping(state: string | null, info: ConnectorInfo): Promise<PingResult> {
    const reply = await this.client.request(PING, { id: this.identity.id, state, connectorInfo: toInfoInput(info) });
    const held = reply.pingConnector?.connector_state ?? null;
    return { reset: !sameState(state, held), state: held };
  }

  /** Pings now, then every `intervalMs`; a failed ping is logged and the loop goes on. */
  startPinging(
    intervalMs: number,
    getState: () => string | null | Promise<string | null>,
    getInfo: () => ConnectorInfo | Promise<ConnectorInfo>,
    onReset: (state: string | null) => void | Promise<void>,
  ): Pinger {
    let stopped = false;
    let inFlight: Promise<void> | undefined;
    const tick = async (): Promise<void> => {
      try {
        const result = await this.ping(await getState(), await getInfo());
        if (result.reset && !stopped) {
          this.logger.warn('opencti state reset by an administrator', { connector_id: this.identity.id });
          await onReset(result.state);
        }
      } catch (err) {
        this.logger.warn('opencti ping failed', { ...describeError(err) });
      }
    };
    const run = (): void => {
      if (stopped || inFlight) return;
      inFlight = tick().finally(() => {
        inFlight = undefined;
      });
    };
    run();
    const timer = setInterval(run, intervalMs);
    timer.unref();
    return {
      stop: async () => {
        stopped = true;
        clearInterval(timer);
        await inFlight;
      },
    };
  }

  async addWork(friendlyName: string): Promise<string> {
    const reply = await this.client.request(WORK_ADD, { connectorId: this.identity.id, friendlyName });
    return reply.workAdd.id;
  }

  async workToProcessed(workId: string, message: string, inError: boolean): Promise<void> {
    await this.client.request(WORK_TO_PROCESSED, { id: workId, message, inError });
  }

  /** The connector's ingestion queue on the platform (RabbitMQ figures). */
  async queueDetails(): Promise<QueueDetails> {
    const reply = await this.client.request(QUEUE, { id: this.identity.id });
    const details = reply.connector?.connector_queue_details;
    return { messages: details?.messages_number ?? 0, bytes: details?.messages_size ?? 0 };
  }
}
