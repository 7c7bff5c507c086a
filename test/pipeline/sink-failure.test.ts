// Delivery failures against a real HTTP STIX endpoint: a sink down for a while is retried and
// nothing is dead-lettered; a sink down past the retry budget dead-letters whole bundles, which
// `dlq replay` delivers once it is back. Either way the run ends and the cursor moves.
import { replay } from '../../src/pipeline/replay';
import { syncOnce } from '../../src/pipeline/sync';
import { startStixEndpoint, type StixEndpoint } from '../support/stix-endpoint';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';
import { baseRawConfig, buildConfig, startHarness, uniquePrefix, type Harness } from '../support/pipeline-harness';

describe('when the sink fails', () => {
  let server: TaxiiTestServer;
  let endpoint: StixEndpoint;
  let harness: Harness;
  const seeds = generateObjects(600);

  beforeAll(async () => {
    server = await startTaxiiServer({ objects: seeds });
    endpoint = await startStixEndpoint();
    const raw = baseRawConfig({ prefix: uniquePrefix('sinkfail'), discoveryUrl: server.url, pageSize: 100 });
    raw.sink = { type: 'http', url: endpoint.url };
    raw.stix = { bundle_max_objects: 50 };
    harness = await startHarness(buildConfig(raw));
    await harness.start();
  });

  afterAll(async () => {
    await harness.close();
    await endpoint.close();
    await server.close();
  });

  const deliveredIds = () => new Set(endpoint.objects.map((o) => o.id));

  it('retries a sink that is down for a while, then delivers everything with nothing dead-lettered', async () => {
    endpoint.replyNext({ status: 503, times: 5, headers: { 'Retry-After': '0' } });
    const summary = await syncOnce(harness.runtime, {});
    expect(summary.ok).toBe(true);
    expect(endpoint.requests.filter((r) => r.status === 503)).toHaveLength(5);
    expect(deliveredIds().size).toBe(seeds.length);
    expect(summary.totals).toMatchObject({ delivered: seeds.length, deadLettered: 0 });
    expect(await harness.runtime.deadLetters.count()).toBe(0);
  });

  it('dead-letters bundles when the sink stays down past the retry budget, and dlq replay delivers them all', async () => {
    const later = generateObjects(300, { startDate: '2025-01-01T00:00:00.000000Z', seed: 3 }).slice(1);
    server.addObjects(server.defaultCollectionId, later);
    endpoint.bundles.length = 0;
    endpoint.replyNext({ status: 503, times: 10_000 });
    const summary = await syncOnce(harness.runtime, {});
    // Every bundle went to the dead-letter queue: the pass is complete and the cursor moved on.
    expect(summary.ok).toBe(true);
    expect(summary.totals).toMatchObject({ fetched: later.length, delivered: 0, deadLettered: later.length });
    const entries = await harness.runtime.deadLetters.list();
    expect(entries.length).toBe(Math.ceil(later.length / 50));
    expect(entries.every((e) => e.entry.kind === 'bundle' && e.entry.code === 'SINK_HTTP_503')).toBe(true);
    expect((await harness.runtime.store.getCursor('feed', server.defaultCollectionId))?.value).toBe(later.at(-1)?.date_added);

    // The sink comes back.
    endpoint.clearReplies();
    for (const item of entries) {
      const r = await replay(harness.runtime, item);
      expect(r).toMatchObject({ remaining: 0 });
    }
    expect(await harness.runtime.deadLetters.count()).toBe(0);
    const ids = deliveredIds();
    for (const s of later) expect(ids.has(s.object.id as string)).toBe(true);
  });
});
