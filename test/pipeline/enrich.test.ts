// Per-source enrichment and filters from the config reach every delivered object.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncOnce } from '../../src/pipeline/sync';
import { authorIdentity, TLP_MARKING_IDS } from '../../src/stix';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';
import { baseRawConfig, bundlesInFileSink, buildConfig, removeDir, startHarness, uniquePrefix, type Harness } from '../support/pipeline-harness';

describe('when a source asks for enrichment and filters', () => {
  let server: TaxiiTestServer;
  let harness: Harness;
  let sinkDir: string;
  const seeds = generateObjects(300);

  beforeAll(async () => {
    server = await startTaxiiServer({ objects: seeds });
    sinkDir = mkdtempSync(join(tmpdir(), 'taxii-enrich-'));
    const raw = baseRawConfig({ prefix: uniquePrefix('enrich'), discoveryUrl: server.url, sinkDir, pageSize: 100 });
    const source = (raw.sources as Array<Record<string, unknown>>)[0];
    source.enrich = { author: { name: 'SOC Feeds' }, override_author: true, markings: ['amber'], labels: ['trend-feed'], opencti: { score: 70 } };
    source.filter = { exclude_types: ['relationship'] };
    harness = await startHarness(buildConfig(raw));
    await harness.start();
  });
  afterAll(async () => {
    await harness.close();
    await server.close();
    removeDir(sinkDir);
  });

  it('marks, labels and attributes every object, adds the author and marking, and drops filtered types', async () => {
    const summary = await syncOnce(harness.runtime, {});
    expect(summary.ok).toBe(true);
    const objects = bundlesInFileSink(sinkDir).flatMap((b) => b.objects);
    const author = authorIdentity('SOC Feeds');
    const amber = TLP_MARKING_IDS.amber;
    const relationships = seeds.filter((s) => s.object.type === 'relationship').length;
    expect(relationships).toBeGreaterThan(0);
    expect(summary.totals.filtered).toBe(relationships);
    expect(objects.some((o) => o.type === 'relationship')).toBe(false);
    expect(objects.some((o) => o.id === author.id)).toBe(true);
    expect(objects.some((o) => o.id === amber)).toBe(true);
    const sdos = objects.filter((o) => ['indicator', 'malware', 'attack-pattern'].includes(o.type));
    expect(sdos.length).toBeGreaterThan(0);
    for (const o of sdos) {
      expect(o.created_by_ref).toBe(author.id);
      expect(o.object_marking_refs).toContain(amber);
      expect(o.labels).toContain('trend-feed');
    }
    for (const o of sdos.filter((x) => x.type === 'indicator')) expect(o.x_opencti_score).toBe(70);
  });
});
