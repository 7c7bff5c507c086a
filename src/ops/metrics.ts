// Prometheus metrics of the connector: counters fed by the pipeline's observer hooks in this
// process, and gauges read from Redis at scrape time (queues, dead letters, cursors), all in a
// registry of their own under the `taxii_connector_` prefix.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describeError } from '../errors';
import type { PipelineContext, PipelineObserver } from '../pipeline/context';
import { readCollections } from './collections';

export const METRIC_PREFIX = 'taxii_connector_';

/** Job states reported per queue (BullMQ's names). */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

type ObserverEvent<K extends keyof PipelineObserver> = Parameters<NonNullable<PipelineObserver[K]>>[0];

export class PipelineMetrics implements PipelineObserver {
  readonly registry = new Registry();
  private ctx?: PipelineContext;
  /** Last successful run end per collection seen by this process (a failed last run hides older ones in Redis). */
  private readonly lastSuccess = new Map<string, number>();

  private readonly pages = this.counter('pages_fetched_total', 'Pages of objects fetched from TAXII servers.', ['source', 'collection']);
  private readonly objects = this.counter('objects_fetched_total', 'STIX objects received from TAXII servers.', ['source', 'collection']);
  private readonly bytes = this.counter('fetched_bytes_total', 'Bytes of TAXII object pages received.', ['source', 'collection']);
  private readonly pageSeconds = new Histogram({
    name: `${METRIC_PREFIX}page_fetch_duration_seconds`,
    help: 'Time to fetch one page of objects from a TAXII server, as seen by the fetch worker (successful fetches only).',
    labelNames: ['source', 'collection'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly requestSeconds = new Histogram({
    name: `${METRIC_PREFIX}taxii_request_duration_seconds`,
    help: 'Duration of every TAXII request, per endpoint and outcome (HTTP status, or the error code when there was no answer).',
    labelNames: ['source', 'endpoint', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly accepted = this.counter('objects_accepted_total', 'STIX objects that passed validation and normalization.', ['source', 'collection']);
  private readonly rejected = this.counter('objects_rejected_total', 'STIX objects rejected by validation, per reason.', ['source', 'collection', 'reason']);
  private readonly filtered = this.counter('objects_filtered_total', 'STIX objects dropped by the configured filters.', ['source', 'collection']);
  private readonly upgraded = this.counter('objects_upgraded_total', 'STIX 2.0 objects upgraded to 2.1.', ['source', 'collection']);
  private readonly deliveredObjects = this.counter('objects_delivered_total', 'STIX objects accepted by a sink.', ['sink', 'source', 'collection']);
  private readonly deliverySeconds = new Histogram({
    name: `${METRIC_PREFIX}delivery_duration_seconds`,
    help: 'Time to deliver one bundle to a sink (successful deliveries).',
    labelNames: ['sink'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly failures = this.counter('delivery_failures_total', 'Failed bundle deliveries, per sink and error code; final="true" when the bundle was dead-lettered.', ['sink', 'code', 'final']);
  private readonly deadLetteredObjects = this.counter('objects_dead_lettered_total', 'Objects sent to the dead-letter queue (kind: bundle, rejected, page).', ['kind', 'source', 'collection']);
  private readonly runs = this.counter('runs_total', 'Runs ended, per outcome.', ['source', 'collection', 'status']);
  private readonly skipped = this.counter('ticks_skipped_total', 'Scheduler ticks skipped because a run of the collection was still going.', ['source', 'collection']);

  private readonly queueJobs = this.gauge('queue_jobs', 'Jobs per queue and state, read at scrape time.', ['queue', 'state']);
  private readonly deadLetterSize = this.gauge('dead_letter_entries', 'Entries waiting in the dead-letter queue, read at scrape time.', []);
  private readonly lag = this.gauge('cursor_lag_seconds', 'Seconds between now and the collection cursor (the newest date_added delivered).', ['source', 'collection']);
  private readonly lastSuccessGauge = this.gauge('last_success_timestamp_seconds', 'Unix time the last successful run of the collection ended.', ['source', 'collection']);
  private readonly lastRunOk = this.gauge('last_run_success', '1 when the last finished run of the collection succeeded, 0 when it failed.', ['source', 'collection']);
  private readonly running = this.gauge('run_in_progress', '1 while a run of the collection is going on.', ['source', 'collection']);
  private readonly redisUp = this.gauge('redis_up', '1 when Redis answered the scrape-time reads, 0 otherwise.', []);

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  /** Gives the scrape-time gauges their source of truth (the runtime built with this observer). */
  bind(ctx: PipelineContext): this {
    this.ctx = ctx;
    return this;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads queues, dead letters and cursors, then renders every metric in the text format. */
  async render(): Promise<string> {
    await this.refresh();
    return this.registry.metrics();
  }

  pageFetched(e: ObserverEvent<'pageFetched'>): void {
    const l = { source: e.source, collection: e.collection };
    this.pages.inc(l);
    this.objects.inc(l, e.objects);
    this.bytes.inc(l, e.bytes);
    this.pageSeconds.observe(l, e.ms / 1000);
  }

  taxiiRequest(e: ObserverEvent<'taxiiRequest'>): void {
    this.requestSeconds.observe({ source: e.source, endpoint: e.endpoint, status: e.status }, e.ms / 1000);
  }

  pageNormalized(e: ObserverEvent<'pageNormalized'>): void {
    const l = { source: e.source, collection: e.collection };
    this.accepted.inc(l, e.accepted);
    this.filtered.inc(l, e.filtered);
    this.upgraded.inc(l, e.upgraded);
    for (const [reason, n] of Object.entries(e.rejectedByReason)) this.rejected.inc({ ...l, reason }, n);
  }

  delivered(e: ObserverEvent<'delivered'>): void {
    this.deliveredObjects.inc({ sink: e.sink, source: e.source, collection: e.collection }, e.objects);
    this.deliverySeconds.observe({ sink: e.sink }, e.ms / 1000);
  }

  deliveryFailed(e: ObserverEvent<'deliveryFailed'>): void {
    this.failures.inc({ sink: e.sink, code: e.code, final: String(e.final) });
  }

  deadLettered(e: ObserverEvent<'deadLettered'>): void {
    this.deadLetteredObjects.inc({ kind: e.kind, source: e.source, collection: e.collection }, e.objects);
  }

  runEnded(e: ObserverEvent<'runEnded'>): void {
    this.runs.inc({ source: e.source, collection: e.collection, status: e.status });
    if (e.status === 'done') this.lastSuccess.set(`${e.source}\u0000${e.collection}`, (this.ctx?.now() ?? Date.now()) / 1000);
  }

  tickSkipped(e: ObserverEvent<'tickSkipped'>): void {
    this.skipped.inc({ source: e.source, collection: e.collection });
  }

  private async refresh(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    try {
      const queues = [ctx.queues.fetch, ctx.queues.deliver, ctx.queues.deadLetter];
      const counts = await Promise.all(queues.map((q) => q.getJobCounts(...QUEUE_STATES)));
      const [dlq, collections] = await Promise.all([ctx.deadLetters.count(), readCollections(ctx)]);
      this.queueJobs.reset();
      queues.forEach((q, i) => {
        for (const state of QUEUE_STATES) this.queueJobs.set({ queue: q.name, state }, counts[i][state] ?? 0);
      });
      this.deadLetterSize.set(dlq);
      for (const g of [this.lag, this.lastSuccessGauge, this.lastRunOk, this.running]) g.reset();
      for (const c of collections) {
        const l = { source: c.source, collection: c.collection };
        if (c.lagSeconds !== undefined) this.lag.set(l, c.lagSeconds);
        this.running.set(l, c.running ? 1 : 0);
        const k = `${c.source}\u0000${c.collection}`;
        if (c.lastRun) this.lastRunOk.set(l, c.lastRun.status === 'done' ? 1 : 0);
        if (c.lastRun?.status === 'done' && c.lastRun.endedAt) {
          const at = Date.parse(c.lastRun.endedAt) / 1000;
          if (!Number.isNaN(at) && at > (this.lastSuccess.get(k) ?? 0)) this.lastSuccess.set(k, at);
        }
        const success = this.lastSuccess.get(k);
        if (success !== undefined) this.lastSuccessGauge.set(l, success);
      }
      this.redisUp.set(1);
    } catch (err) {
      this.redisUp.set(0);
      ctx.logger.warn('metrics: scrape-time reads failed', describeError(err));
    }
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }
}
