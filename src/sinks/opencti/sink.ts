// The OpenCTI sink: checks the platform version and registers the connector at start, opens one
// work per run, pushes bundles with stixBundlePush (split to the body limit, narrowed down to the bad
// objects when the platform calls a bundle invalid) and closes the work with the run's counts.
import { ConnectorError, describeError } from '../../errors';
import type { StixBundle, StixObject } from '../../stix/types';
import { storedText, type DeliveryContext, type DeliveryResult, type RunInfo, type RunSummary, type Sink } from '../types';
import { OpenCtiClient, graphqlBody, graphqlBodyBytes } from './client';
import { type ConnectorInfo, OpenCtiConnector, isAboveThreshold, type PingResult, type Pinger, type QueueDetails } from './connector';
import { ABOUT, PUSH, PUSH_IN_WORK } from './documents';
import { OPENCTI_INVALID_BUNDLE, OPENCTI_VERSION_UNSUPPORTED, isInvalidBundle } from './errors';
import { type OpenCtiSinkOptions, type ResolvedOpenCtiSinkOptions, resolveOpenCtiSinkOptions } from './options';
import { bundleOf, packBySize, partBundleId, rejectionOf } from './split';
import { PUSH_MIN_VERSION, WORK_ID_MIN_VERSION, type Version, atLeast, formatVersion, parseVersion } from './version';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Outcome extends DeliveryResult {
  narrowingLeft: number;
}

export class OpenCtiSink implements Sink {
  readonly type = 'opencti';
  readonly name: string;
  private readonly o: ResolvedOpenCtiSinkOptions;
  private readonly client: OpenCtiClient;
  private readonly connector: OpenCtiConnector;
  private starting?: Promise<void>;
  private platformVersion?: Version;
  private registeredState: string | null = null;
  private queueReading?: { at: number; bytes: number; above: boolean };

  constructor(options: OpenCtiSinkOptions) {
    this.o = resolveOpenCtiSinkOptions(options);
    this.name = this.o.name;
    if (!UUID.test(this.o.connectorId)) {
      throw new ConnectorError(`connector id "${this.o.connectorId}" is not a UUID`, { code: 'CONFIG_CONNECTOR_ID', retryable: false });
    }
    this.client = new OpenCtiClient({ url: this.o.url, token: this.o.token, timeoutMs: this.o.timeoutMs, tlsVerify: this.o.tlsVerify, ca: this.o.ca, proxy: this.o.proxy });
    this.connector = new OpenCtiConnector(this.client, { id: this.o.connectorId, name: this.o.connectorName, scope: this.o.scope }, this.o.logger);
  }

  /** Version gate (>= 6.3), then registerConnector; runs once, later calls share the result. */
  start(): Promise<void> {
    this.starting ??= this.doStart().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  /** The platform version read at start. */
  get version(): string | undefined {
    return this.platformVersion && formatVersion(this.platformVersion);
  }

  /** Whether pushes carry `work_id` (OpenCTI >= 6.5.7). */
  get sendsWorkId(): boolean {
    return this.platformVersion !== undefined && atLeast(this.platformVersion, WORK_ID_MIN_VERSION);
  }

  /** The state OpenCTI held at registration (JSON text of the cursors, or null). */
  initialState(): string | null {
    return this.registeredState;
  }

  ping(state: string | null, info: ConnectorInfo): Promise<PingResult> {
    return this.connector.ping(state, info);
  }

  /** Pings now and every `ping_interval_secs`; `onReset` gets the state an administrator set. */
  startPinging(
    getState: () => string | null | Promise<string | null>,
    getInfo: () => ConnectorInfo | Promise<ConnectorInfo>,
    onReset: (state: string | null) => void | Promise<void>,
  ): Pinger {
    return this.connector.startPinging(this.o.pingIntervalMs, getState, getInfo, onReset);
  }

  queueDetails(): Promise<QueueDetails> {
    return this.connector.queueDetails();
  }

  /**
   * True while the platform's ingestion queue is above `queueThresholdMb` (fetching then waits).
   * Reads are reused for `queueCheckIntervalMs`; a failed read does not hold fetching back.
   */
  async backpressure(): Promise<boolean> {
    const now = Date.now();
    if (this.queueReading && now - this.queueReading.at < this.o.queueCheckIntervalMs) return this.queueReading.above;
    try {
      const bytes = await this.queueBacklogBytes();
      this.queueReading = { at: now, bytes, above: isAboveThreshold(bytes, this.o.queueThresholdMb) };
    } catch (err) {
      this.o.logger.warn('cannot read the opencti queue size', { ...describeError(err) });
      this.queueReading = { at: now, bytes: this.queueReading?.bytes ?? 0, above: false };
    }
    return this.queueReading.above;
  }

  /** The last queue reading, for the ping's connector info. */
  queueStatus(): { buffering: boolean; queueThresholdMb: number; queueMessagesSizeMb: number } {
    return { buffering: this.queueReading?.above ?? false, queueThresholdMb: this.o.queueThresholdMb, queueMessagesSizeMb: (this.queueReading?.bytes ?? 0) / 1_000_000 };
  }

  /** Bytes waiting in the connector's ingestion queue on the platform. */
  async queueBacklogBytes(): Promise<number> {
    return (await this.connector.queueDetails()).bytes;
  }

  async deliver(bundle: StixBundle, ctx: DeliveryContext): Promise<DeliveryResult> {
    await this.start();
    const workId = this.sendsWorkId ? ctx.workId : undefined;
    const emptyBody = Buffer.byteLength(this.pushBody(bundleOf(bundle.id, []), workId));
    const { parts, tooLarge } = packBySize(bundle.objects, emptyBody, this.o.maxBodyBytes);
    const out: Outcome = { delivered: 0, rejected: [], narrowingLeft: this.o.maxNarrowingPushes };
    for (const object of tooLarge) {
      out.rejected.push(rejectionOf(object, 'OPENCTI_OBJECT_TOO_LARGE', `object does not fit in a ${this.o.maxBodyBytes}-byte request to OpenCTI`));
    }
    for (const [i, objects] of parts.entries()) {
      const id = parts.length === 1 && tooLarge.length === 0 ? bundle.id : partBundleId(bundle.id, `p${i}`);
      await this.pushNarrowing(id, objects, workId, out);
    }
    if (parts.length > 1) this.o.logger.debug('opencti bundle split to fit the body limit', { bundle_id: bundle.id, parts: parts.length });
    if (out.rejected.length > 0) {
      this.o.logger.warn('opencti refused objects', { bundle_id: bundle.id, rejected: out.rejected.length, delivered: out.delivered, source: ctx.source, collection: ctx.collection });
    }
    return { delivered: out.delivered, rejected: out.rejected };
  }

  /**
   * Pushes a bundle as the pipeline stored it, in one request when it fits the body limit. A bundle
   * too large, or one OpenCTI calls invalid, goes the long way (`deliver`: split, then narrowed).
   */
  async deliverText(json: string | Buffer, meta: { id: string; objects: number }, ctx: DeliveryContext): Promise<DeliveryResult> {
    await this.start();
    const workId = this.sendsWorkId ? ctx.workId : undefined;
    // GraphQL carries the bundle as a JSON string. Bytes are escaped into the body as bytes; text
    // (or bytes that are not UTF-8) the way JSON.stringify does. Built once: measured, then sent.
    const body = (typeof json === 'string' ? undefined : this.pushBodyBytes(json, workId)) ?? this.pushBody(storedText(json), workId);
    const fits = typeof body === 'string' ? body.length * 3 <= this.o.maxBodyBytes || Buffer.byteLength(body) <= this.o.maxBodyBytes : body.length <= this.o.maxBodyBytes;
    if (fits) {
      try {
        await this.push(body, workId);
        return { delivered: meta.objects, rejected: [] };
      } catch (err) {
        if (!isInvalidBundle(err)) throw err;
      }
    }
    return this.deliver(JSON.parse(storedText(json)) as StixBundle, ctx);
  }

  async health(): Promise<void> {
    await this.client.request(ABOUT);
  }

  async beginRun(run: RunInfo): Promise<string | undefined> {
    await this.start();
    const at = Number.isNaN(Date.parse(run.startedAt)) ? run.startedAt : new Date(run.startedAt).toISOString();
    return this.connector.addWork(`${run.source}/${run.collectionTitle} @ ${at}`);
  }

  async endRun(_run: RunInfo, workId: string | undefined, summary: RunSummary): Promise<void> {
    if (!workId) return;
    const message =
      `${summary.pages} pages, ${summary.fetched} objects fetched, ${summary.delivered} delivered, ` +
      `${summary.rejected} rejected, ${summary.deadLettered} dead-lettered`;
    await this.connector.workToProcessed(workId, message, summary.deadLettered > 0);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private async doStart(): Promise<void> {
    const about = await this.client.request(ABOUT);
    const text = about.about?.version ?? '';
    const version = parseVersion(text);
    if (!version) {
      throw new ConnectorError(`cannot read the OpenCTI version "${text}"`, { code: OPENCTI_VERSION_UNSUPPORTED, retryable: false });
    }
    if (!atLeast(version, PUSH_MIN_VERSION)) {
      throw new ConnectorError(
        `OpenCTI ${text} is not supported: the connector pushes bundles with stixBundlePush, which needs OpenCTI ${formatVersion(PUSH_MIN_VERSION)} or later`,
        { code: OPENCTI_VERSION_UNSUPPORTED, retryable: false, details: { version: text } },
      );
    }
    this.platformVersion = version;
    this.registeredState = await this.connector.register();
    this.o.logger.info('opencti sink ready', { version: text, work_id: this.sendsWorkId, connector_id: this.o.connectorId });
  }

  /** The push operation and its variables; `bundle` holds its place among them. */
  private pushOf(workId: string | undefined): { op: typeof PUSH | typeof PUSH_IN_WORK; variables: Record<string, unknown> } {
    const variables = { connectorId: this.o.connectorId, bundle: '' };
    return workId === undefined ? { op: PUSH, variables } : { op: PUSH_IN_WORK, variables: { ...variables, work_id: workId } };
  }

  private pushBody(bundle: StixBundle | string, workId: string | undefined): string {
    const { op, variables } = this.pushOf(workId);
    return graphqlBody(op, { ...variables, bundle: typeof bundle === 'string' ? bundle : JSON.stringify(bundle) });
  }

  /** pushBody's bytes for a bundle given as UTF-8 bytes, without its text (undefined when they are not UTF-8). */
  private pushBodyBytes(bundle: Uint8Array, workId: string | undefined): Buffer | undefined {
    const { op, variables } = this.pushOf(workId);
    return graphqlBodyBytes(op, variables, 'bundle', bundle);
  }

  /** Sends a push body (pushBody, pushBodyBytes). */
  private async push(body: string | Buffer, workId: string | undefined): Promise<void> {
    const reply = await this.client.requestBody(this.pushOf(workId).op, body);
    if (reply.stixBundlePush !== true) {
      throw new ConnectorError('OpenCTI did not accept the bundle (stixBundlePush returned false)', { code: 'OPENCTI_PUSH_REFUSED', retryable: true });
    }
  }

  /**
   * Pushes a part; when OpenCTI calls it invalid, pushes each half in turn, down to single objects,
   * so that only the offending objects are rejected. The narrowing budget bounds the extra pushes;
   * once spent, a refused part is rejected whole, with the server's message.
   */
  private async pushNarrowing(id: string, objects: StixObject[], workId: string | undefined, out: Outcome): Promise<void> {
    try {
      await this.push(this.pushBody(bundleOf(id, objects), workId), workId);
      out.delivered += objects.length;
    } catch (err) {
      if (!isInvalidBundle(err)) throw err;
      const serverMessage = String(err.details?.server_message ?? err.message);
      if (objects.length === 1 || out.narrowingLeft < 2) {
        const note = objects.length > 1 ? ` (refused in a part of ${objects.length} objects; narrowing budget spent)` : '';
        for (const object of objects) out.rejected.push(rejectionOf(object, OPENCTI_INVALID_BUNDLE, `${serverMessage}${note}`));
        return;
      }
      out.narrowingLeft -= 2;
      const mid = Math.ceil(objects.length / 2);
      await this.pushNarrowing(partBundleId(id, 'a'), objects.slice(0, mid), workId, out);
      await this.pushNarrowing(partBundleId(id, 'b'), objects.slice(mid), workId, out);
    }
  }
}
