// The TAXII test server itself: what later suites rely on (filters, fault scoping, records, media
// types, storage order), checked over real HTTP.
import { HttpClient } from '../../src/http/request';
import { caught, drain, taxiiFixture } from '../support/taxii-client';
import { generateObjects } from '../support/taxii-server';

describe('the TAXII test server', () => {
  const fx = taxiiFixture();
  const open: HttpClient[] = [];
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  const raw = (headers: Record<string, string> = { Accept: 'application/taxii+json;version=2.1' }) => {
    const c = new HttpClient({ codePrefix: 'T', credentials: { type: 'none' }, timeoutMs: 2000, headers });
    open.push(c);
    return c;
  };

  describe('generateObjects', () => {
    it('makes valid-looking STIX 2.1 objects with patterns, relationships and microsecond date_added', () => {
      const seeds = generateObjects(200, { sameDateGroups: 2 });
      const types = new Set(seeds.map((s) => s.object.type));
      expect([...types].sort()).toEqual(['attack-pattern', 'identity', 'indicator', 'malware', 'relationship']);
      const patterns = seeds.filter((s) => s.object.type === 'indicator').map((s) => s.object.pattern as string);
      expect(patterns.some((p) => /^\[ipv4-addr:value = '\d+\.\d+\.\d+\.\d+'\]$/.test(p))).toBe(true);
      expect(patterns.some((p) => /^\[domain-name:value = '[a-z0-9.-]+'\]$/.test(p))).toBe(true);
      expect(patterns.some((p) => /^\[file:hashes\.'SHA-256' = '[0-9a-f]{64}'\]$/.test(p))).toBe(true);
      const known = new Set(seeds.map((s) => s.object.id));
      for (const r of seeds.filter((s) => s.object.type === 'relationship')) {
        expect(known.has(r.object.source_ref)).toBe(true);
        expect(known.has(r.object.target_ref)).toBe(true);
      }
      expect(seeds[0]!.date_added).toBe(seeds[1]!.date_added);
      expect(seeds[2]!.date_added).toMatch(/^2024-01-01T00:00:00\.001001Z$/);
      const avg = seeds.reduce((n, s) => n + JSON.stringify(s.object).length, 0) / seeds.length;
      expect(avg).toBeGreaterThan(350);
      expect(avg).toBeLessThan(650);
      expect(generateObjects(5)).toEqual(generateObjects(5));
    });
  });

  describe('objects', () => {
    it('filters by match[type], match[id] and match[spec_version], and clamps limit', async () => {
      const seeds = generateObjects(50);
      const srv = await fx.server({ objects: seeds, maxLimit: 7 });
      const client = fx.client(srv);
      const byType = await client.getObjectsPage(srv.defaultCollectionId, { match: { type: 'malware' }, limit: 100 });
      expect(byType.objects.every((o) => (o as { type: string }).type === 'malware')).toBe(true);
      expect(byType.objects).toHaveLength(5);
      const wanted = [seeds[3]!.object.id as string, seeds[4]!.object.id as string];
      const byId = await client.getObjectsPage(srv.defaultCollectionId, { match: { id: wanted } });
      expect(byId.objects.map((o) => (o as { id: string }).id)).toEqual(wanted);
      expect((await client.getObjectsPage(srv.defaultCollectionId, { match: { spec_version: '2.0' } })).objects).toEqual([]);
      expect((await client.getObjectsPage(srv.defaultCollectionId, { limit: 100 })).objects).toHaveLength(7);
    });

    it('serves objects added in any order sorted by date_added, then by arrival', async () => {
      const seeds = generateObjects(6);
      const srv = await fx.server();
      srv.addObjects(srv.defaultCollectionId, [seeds[4]!, seeds[1]!]);
      srv.addObjects(srv.defaultCollectionId, [seeds[0]!, { ...seeds[5]!, date_added: seeds[1]!.date_added }]);
      const page = await fx.client(srv).getObjectsPage(srv.defaultCollectionId);
      expect(page.objects.map((o) => (o as { id: string }).id)).toEqual([seeds[0], seeds[1], seeds[5], seeds[4]].map((s) => s!.object.id));
    });

    it('answers an empty list as a full envelope when emptyAsObject is false', async () => {
      const srv = await fx.server({ emptyAsObject: false });
      const res = await raw().send({ url: `${srv.collectionUrl()}objects/` });
      expect(JSON.parse(res.body)).toEqual({ more: false, objects: [] });
    });
  });

  describe('faults', () => {
    it('hit only the chosen kind of path, after `skip`, for `times` requests', async () => {
      const srv = await fx.server({ objects: generateObjects(30) });
      srv.setFault({ kind: '5xx', status: 502, on: 'objects', skip: 1, times: 2 });
      const client = fx.client(srv);
      await client.collections();
      await client.getObjectsPage(srv.defaultCollectionId);
      expect((await caught(client.getObjectsPage(srv.defaultCollectionId))).status).toBe(502);
      expect((await caught(client.getObjectsPage(srv.defaultCollectionId))).status).toBe(502);
      expect((await client.getObjectsPage(srv.defaultCollectionId)).objects).toHaveLength(30);
      expect(srv.requestsTo('objects').map((r) => r.status)).toEqual([200, 502, 502, 200]);
    });

    it('stack with addFault and go away with clearFaults', async () => {
      const seeds = generateObjects(4, { sameDateGroups: 2 });
      const srv = await fx.server({ objects: seeds });
      srv.addFault({ kind: 'inclusive-added-after' });
      srv.addFault({ kind: 'slow', delayMs: 50 });
      const client = fx.client(srv);
      const inclusive = await client.getObjectsPage(srv.defaultCollectionId, { addedAfter: seeds[2]!.date_added });
      expect(inclusive.objects).toHaveLength(2);
      srv.clearFaults();
      expect((await client.getObjectsPage(srv.defaultCollectionId, { addedAfter: seeds[2]!.date_added })).objects).toHaveLength(0);
    });

    it('delay every page by pageDelayMs', async () => {
      const srv = await fx.server({ objects: generateObjects(3), pageDelayMs: 120 });
      const started = Date.now();
      await fx.client(srv).getObjectsPage(srv.defaultCollectionId);
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    });
  });

  describe('media types and permissions', () => {
    it('answers 406 when Accept does not name the TAXII media type', async () => {
      const srv = await fx.server();
      expect((await raw({ Accept: 'application/json' }).send({ url: srv.url })).status).toBe(406);
    });

    it('answers 415 to a POST that is not TAXII JSON, and 403 to one on a read-only collection', async () => {
      const srv = await fx.server({ collections: [{ id: 'ro', canWrite: false }, { id: 'rw' }] });
      const post = (id: string, type: string) =>
        raw().send({ method: 'POST', url: `${srv.apiRootUrl}collections/${id}/objects/`, headers: { 'Content-Type': type }, body: '{"objects":[]}' });
      expect((await post('rw', 'application/json')).status).toBe(415);
      expect((await post('ro', 'application/taxii+json;version=2.1')).status).toBe(403);
      expect((await post('rw', 'application/taxii+json;version=2.1')).status).toBe(202);
    });

    it('answers 403 to reading an unreadable collection', async () => {
      const srv = await fx.server({ collections: [{ id: 'secret', canRead: false }] });
      expect(await caught(fx.client(srv).getObjectsPage('secret'))).toMatchObject({ code: 'TAXII_AUTH', status: 403 });
    });
  });

  describe('records', () => {
    it('keeps method, path, decoded query, headers, kind, time and status of each request', async () => {
      const srv = await fx.server({ objects: generateObjects(3) });
      const before = Date.now();
      await fx.client(srv).getObjectsPage(srv.defaultCollectionId, { addedAfter: '2024-01-01T00:00:00.5Z', match: { type: ['indicator', 'malware'] } });
      const r = srv.requestsTo('objects')[0]!;
      expect(r).toMatchObject({
        method: 'GET', path: `/taxii2/api1/collections/${srv.defaultCollectionId}/objects/`, kind: 'objects', collectionId: srv.defaultCollectionId, status: 200,
        query: { added_after: '2024-01-01T00:00:00.5Z', 'match[type]': 'indicator,malware' },
      });
      expect(r.headers.accept).toBe('application/taxii+json;version=2.1');
      expect(r.time).toBeGreaterThanOrEqual(before);
    });
  });

  describe('with many objects', () => {
    it('serves 20,000 objects in pages of 5,000 quickly', async () => {
      const srv = await fx.server({ objects: generateObjects(20_000, { sameDateGroups: 5 }), nextMode: 'cursor' });
      const started = Date.now();
      const { items } = await drain(fx.client(srv, { timeoutMs: 10_000 }).objectPages(srv.defaultCollectionId, { limit: 5000 }));
      expect(items.reduce((n, p) => n + p.objects.length, 0)).toBe(20_000);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
});
