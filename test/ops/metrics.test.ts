// /metrics after a real sync: the pipeline counters agree with the summary `sync --once` prints, and
// the scrape-time gauges (queues, dead letters, cursor lag, last success) are read from Redis.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSummary } from '../../src/cli/service';
import { syncOnce, type SyncSummary } from '../../src/pipeline/sync';
import { baseRawConfig, buildConfig, removeDir, uniquePrefix } from '../support/pipeline-harness';
import { generateObjects, startTaxiiServer, type TaxiiSeed, type TaxiiTestServer } from '../support/taxii-server';
import { get, parsePrometheus, startOpsHarness, total, type OpsHarness, type Sample } from './ops-harness';

const base = { spec_version: '2.1', created: '2024-01-01T00:00:00Z', modified: '2024-01-01T00:00:00Z' };
const bad: TaxiiSeed[] = [
  { date_added: '2024-06-01T00:00:00.000001Z', object: { ...base, type: 'malware', id: 'malware--not-a-uuid', name: 'x', is_family: true } },
  { date_added: '2024-06-01T00:00:00.000002Z', object: { ...base, type: 'malware', id: 'malware--also-not-a-uuid', name: 'y', is_family: true } },
  { date_added: '2024-06-01T00:00:00.000003Z', object: { ...base, type: 'indicator', id: 'indicator--0b0f6a0e-8a41-4bfb-9e0e-0c4f5b6a7c09', pattern_type: 'stix', valid_from: '2024-01-01T00:00:00Z' } },
];

describe('when Prometheus scrapes /metrics after a sync', () => {
  let server: TaxiiTestServer;
  let h: OpsHarness;
  let sinkDir: string;
  let summary: SyncSummary;
  let samples: Sample[];
  let body: string;
  const seeds = generateObjects(1100);

  beforeAll(async () => {
    server = await startTaxiiServer({ objects: [...seeds, ...bad] });
    sinkDir = mkdtempSync(join(tmpdir(), 'taxii-ops-metrics-'));
    h = await startOpsHarness(buildConfig(baseRawConfig({ prefix: uniquePrefix('ops-metrics'), discoveryUrl: server.url, sinkDir, pageSize: 400 })));
    await h.start();
    summary = await syncOnce(h.runtime, {});
    const reply = await get(`${h.ops.url}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    body = reply.text;
    samples = parsePrometheus(body);
  });

  afterAll(async () => {
    await h.close();
    await server.close();
    removeDir(sinkDir);
  });

  it('counts the pages, objects fetched, delivered and rejected that the summary printed', () => {
    const printed = /total: (\d+) pages, (\d+) objects fetched, (\d+) delivered, (\d+) rejected/.exec(formatSummary(summary));
    expect(printed).not.toBeNull();
    const [pages, fetched, delivered, rejected] = printed!.slice(1).map(Number);
    expect(fetched).toBe(seeds.length + bad.length);
    expect(rejected).toBe(bad.length);
    expect(total(samples, 'taxii_connector_pages_fetched_total')).toBe(pages);
    expect(total(samples, 'taxii_connector_objects_fetched_total')).toBe(fetched);
    expect(total(samples, 'taxii_connector_objects_delivered_total')).toBe(delivered);
    expect(total(samples, 'taxii_connector_objects_rejected_total')).toBe(rejected);
  });

  it('labels counts by source, collection, sink and rejection reason', () => {
    const collection = server.defaultCollectionId;
    expect(total(samples, 'taxii_connector_objects_fetched_total', { source: 'feed', collection })).toBe(seeds.length + bad.length);
    expect(total(samples, 'taxii_connector_objects_delivered_total', { sink: 'file', source: 'feed', collection })).toBe(summary.totals.delivered);
    expect(total(samples, 'taxii_connector_objects_rejected_total', { reason: 'INVALID_ID' })).toBe(2);
    expect(total(samples, 'taxii_connector_objects_rejected_total', { reason: 'MISSING_PROPERTY' })).toBe(1);
    expect(total(samples, 'taxii_connector_page_fetch_duration_seconds_count', { source: 'feed' })).toBe(summary.totals.pages);
    expect(total(samples, 'taxii_connector_delivery_duration_seconds_count', { sink: 'file' })).toBeGreaterThan(0);
    expect(total(samples, 'taxii_connector_runs_total', { status: 'done' })).toBe(1);
    expect(total(samples, 'taxii_connector_delivery_failures_total')).toBe(0);
  });

  it('times every TAXII request per endpoint and status, as the server received them', () => {
    const received = server.requestsTo('objects').length;
    expect(received).toBe(summary.totals.pages);
    expect(total(samples, 'taxii_connector_taxii_request_duration_seconds_count', { source: 'feed', endpoint: 'objects', status: '200' })).toBe(received);
    expect(total(samples, 'taxii_connector_taxii_request_duration_seconds_count', { endpoint: 'discovery', status: '200' })).toBe(server.requestsTo('discovery').length);
    expect(total(samples, 'taxii_connector_taxii_request_duration_seconds_count', { endpoint: 'collections', status: '200' })).toBe(server.requestsTo('collections').length);
  });

  it('reads queue depths, dead letters, cursor lag and the last success from Redis at scrape time', async () => {
    const collection = server.defaultCollectionId;
    const states = samples.filter((s) => s.name === 'taxii_connector_queue_jobs');
    expect(new Set(states.map((s) => s.labels.queue))).toEqual(new Set(['fetch', 'deliver', 'dead-letter']));
    expect(total(samples, 'taxii_connector_queue_jobs', { queue: 'deliver', state: 'failed' })).toBe(0);
    expect(total(samples, 'taxii_connector_dead_letter_entries')).toBe(await h.runtime.deadLetters.count());
    const cursor = await h.runtime.store.getCursor('feed', collection);
    const lag = samples.find((s) => s.name === 'taxii_connector_cursor_lag_seconds' && s.labels.collection === collection);
    const expected = (Date.now() - Date.parse(cursor!.value)) / 1000;
    expect(lag?.value).toBeGreaterThan(expected - 30);
    expect(lag?.value).toBeLessThanOrEqual(expected + 1);
    const last = samples.find((s) => s.name === 'taxii_connector_last_success_timestamp_seconds' && s.labels.collection === collection);
    expect(last?.value).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(total(samples, 'taxii_connector_last_run_success', { collection })).toBe(1);
    expect(total(samples, 'taxii_connector_redis_up')).toBe(1);
  });

  it('includes the process metrics, and names every metric taxii_connector_*', () => {
    expect(samples.some((s) => s.name === 'taxii_connector_process_cpu_user_seconds_total')).toBe(true);
    expect(samples.every((s) => s.name.startsWith('taxii_connector_'))).toBe(true);
  });
});
