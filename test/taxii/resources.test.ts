// Discovery, API root, collections, one object, versions, manifest and status against the test
// server (TAXII 2.1 §4, §5).
import { generateObjects } from '../support/taxii-server';
import { caught, drain, taxiiFixture } from '../support/taxii-client';

describe('TaxiiClient resources', () => {
  const fx = taxiiFixture();

  describe('discovery (§4.1)', () => {
    it.each(['absolute', 'path', 'relative'] as const)('resolves API roots listed as %s URLs', async (style) => {
      const srv = await fx.server({ apiRootsInDiscovery: style, extraApiRoots: ['archive'] });
      const info = await fx.client(srv).discover();
      expect(info.defaultApiRoot).toBe(srv.apiRootUrl);
      expect(info.apiRoots).toEqual([srv.apiRootUrl, `${srv.origin}/taxii2/archive/`]);
      expect(info.title).toBe('TAXII test server');
    });

    it('adds the trailing slash a discovery URL was written without', async () => {
      const srv = await fx.server({ apiRootsInDiscovery: 'relative' });
      const client = fx.client(srv, { discoveryUrl: srv.url.replace(/\/$/, '') });
      expect((await client.apiRoot()).url).toBe(srv.apiRootUrl);
      expect(srv.requests[0]!.path).toBe('/taxii2/');
    });

    it('sends the TAXII 2.1 media type in Accept', async () => {
      const srv = await fx.server();
      await fx.client(srv).discover();
      expect(srv.requests[0]!.headers.accept).toBe('application/taxii+json;version=2.1');
    });

    it('uses the first API root when there is no default', async () => {
      const srv = await fx.server({ discoveryDefault: false, extraApiRoots: ['archive'] });
      expect((await fx.client(srv).apiRoot()).url).toBe(srv.apiRootUrl);
    });

    it('fails with TAXII_NO_API_ROOT when discovery lists none', async () => {
      const srv = await fx.server();
      srv.setFault({ kind: 'status', status: 200, body: { title: 'empty' }, on: 'discovery' });
      const err = await caught(fx.client(srv).apiRoot());
      expect(err).toMatchObject({ code: 'TAXII_NO_API_ROOT', retryable: false });
      expect(err.message).toContain('source "test"');
    });

    it('skips discovery when an API root URL is configured', async () => {
      const srv = await fx.server();
      const client = fx.client(srv, { discoveryUrl: undefined, apiRootUrl: srv.apiRootUrl });
      expect(await client.collections()).toHaveLength(1);
      expect(srv.requestsTo('discovery')).toHaveLength(0);
    });

    it('refuses to be built without a discovery or API root URL', async () => {
      const srv = await fx.server();
      expect(() => fx.client(srv, { discoveryUrl: undefined })).toThrow(expect.objectContaining({ code: 'TAXII_CONFIG' }));
    });
  });

  describe('API root (§4.2)', () => {
    it('reads max_content_length once and keeps it', async () => {
      const srv = await fx.server({ maxContentLength: 123456, objects: generateObjects(3) });
      const client = fx.client(srv, { apiRootUrl: srv.apiRootUrl });
      const root = await client.apiRoot();
      expect((await root.info()).max_content_length).toBe(123456);
      await client.getObjectsPage(srv.defaultCollectionId);
      await client.getObjectsPage(srv.defaultCollectionId);
      expect(srv.requestsTo('api-root')).toHaveLength(1);
    });
  });

  describe('collections (§5.1) and resolveCollections', () => {
    const collections = [
      { id: 'c-1', title: 'Indicators' },
      { id: 'c-2', title: 'Reports', alias: 'reports' },
      { id: 'c-3', title: 'Restricted', canRead: false },
    ];

    it('lists every collection with its permissions', async () => {
      const srv = await fx.server({ collections });
      const list = await fx.client(srv).collections();
      expect(list.map((c) => [c.id, c.can_read])).toEqual([['c-1', true], ['c-2', true], ['c-3', false]]);
    });

    it('reads an empty `{}` as no collections', async () => {
      const srv = await fx.server({ collections: [] });
      expect(await fx.client(srv).collections()).toEqual([]);
    });

    it('resolves "*" to the readable collections of the default API root', async () => {
      const srv = await fx.server({ collections });
      expect(await fx.client(srv).resolveCollections(['*'])).toEqual([
        { apiRootUrl: srv.apiRootUrl, id: 'c-1', title: 'Indicators', canRead: true, canWrite: true },
        { apiRootUrl: srv.apiRootUrl, id: 'c-2', title: 'Reports', canRead: true, canWrite: true },
      ]);
    });

    it('resolves ids, titles (any case) and aliases, once each', async () => {
      const srv = await fx.server({ collections });
      const found = await fx.client(srv).resolveCollections(['c-1', 'indicators', 'reports']);
      expect(found.map((c) => c.id)).toEqual(['c-1', 'c-2']);
    });

    it('names every selector that matches nothing', async () => {
      const srv = await fx.server({ collections });
      const err = await caught(fx.client(srv).resolveCollections(['c-1', 'nope', 'c-9']));
      expect(err).toMatchObject({ code: 'TAXII_COLLECTION_NOT_FOUND', retryable: false });
      expect(err.message).toContain('"nope", "c-9"');
      expect(err.message).toContain('c-1 "Indicators"');
    });

    it('refuses a collection the credentials cannot read', async () => {
      const srv = await fx.server({ collections });
      expect(await caught(fx.client(srv).resolveCollections(['Restricted']))).toMatchObject({ code: 'TAXII_COLLECTION_NOT_READABLE' });
    });

    it('fails "*" when nothing is readable', async () => {
      const srv = await fx.server({ collections: [{ id: 'x', canRead: false }] });
      expect(await caught(fx.client(srv).resolveCollections(['*']))).toMatchObject({ code: 'TAXII_COLLECTION_NOT_FOUND' });
    });

    it('reads one collection (§5.2)', async () => {
      const srv = await fx.server({ collections });
      const c = await (await fx.client(srv).collection('c-2')).info();
      expect(c).toMatchObject({ id: 'c-2', title: 'Reports', can_read: true });
    });
  });

  describe('one object (§5.6), versions (§5.8) and manifest (§5.3)', () => {
    const v1 = { type: 'indicator', spec_version: '2.1', id: 'indicator--0b0a1c6e-7d4b-4c0e-9a39-8f1f7d1f0a01', created: '2024-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z', pattern: "[ipv4-addr:value = '198.51.100.7']", pattern_type: 'stix', valid_from: '2024-01-01T00:00:00Z' };
    const v2 = { ...v1, modified: '2024-02-01T00:00:00.000Z', name: 'renamed' };
    const seeds = [
      { object: v1, date_added: '2024-01-01T00:00:00.000001Z' },
      { object: v2, date_added: '2024-02-01T00:00:00.000002Z' },
    ];

    it('returns the latest version of one object by default, all on request', async () => {
      const srv = await fx.server({ objects: seeds });
      const client = fx.client(srv);
      const last = await client.getObject(srv.defaultCollectionId, v1.id);
      expect(last.objects).toEqual([v2]);
      expect(last.dateAddedLast).toBe('2024-02-01T00:00:00.000002Z');
      const all = await client.getObject(srv.defaultCollectionId, v1.id, { match: { version: 'all' } });
      expect(all.objects).toEqual([v1, v2]);
    });

    it('lists versions', async () => {
      const srv = await fx.server({ objects: seeds });
      const page = await fx.client(srv).getObjectVersions(srv.defaultCollectionId, v1.id);
      expect(page.versions).toEqual([v1.modified, v2.modified]);
      expect(page.more).toBe(false);
    });

    it('answers 404 for an unknown object as TAXII_HTTP_404', async () => {
      const srv = await fx.server({ objects: seeds });
      const err = await caught(fx.client(srv).getObject(srv.defaultCollectionId, 'indicator--00000000-0000-4000-8000-000000000000'));
      expect(err).toMatchObject({ code: 'TAXII_HTTP_404', retryable: false, status: 404 });
      expect(err.message).toContain('Object not found');
    });

    it('pages through the manifest with date_added at full precision', async () => {
      const objects = generateObjects(25);
      const srv = await fx.server({ objects });
      const { items, error } = await drain(fx.client(srv).manifestPages(srv.defaultCollectionId, { limit: 10 }));
      expect(error).toBeUndefined();
      const records = items.flatMap((p) => p.objects);
      expect(records.map((r) => r.date_added)).toEqual(objects.map((o) => o.date_added));
      expect(records[1]).toMatchObject({ id: objects[1]!.object.id, version: objects[1]!.object.modified, media_type: 'application/stix+json;version=2.1' });
    });
  });

  describe('adding objects (§5.5) and status (§4.3)', () => {
    it('posts an envelope and follows its status to complete', async () => {
      const srv = await fx.server({ pendingStatusPolls: 1 });
      const client = fx.client(srv);
      const objects = generateObjects(3).map((s) => s.object);
      const status = await client.addObjects(srv.defaultCollectionId, objects);
      expect(status).toMatchObject({ status: 'pending', total_count: 3, pending_count: 3 });
      const post = srv.requests.find((r) => r.method === 'POST')!;
      expect(post.headers['content-type']).toBe('application/taxii+json;version=2.1');
      expect(JSON.parse(post.body!)).toEqual({ objects });
      expect(await client.getStatus(status.id)).toMatchObject({ status: 'pending' });
      expect(await client.getStatus(status.id)).toMatchObject({ status: 'complete', success_count: 3, failure_count: 0 });
      expect(srv.objectCount()).toBe(3);
    });

    it('refuses, before sending, an envelope larger than max_content_length', async () => {
      const srv = await fx.server({ maxContentLength: 1000 });
      const err = await caught(fx.client(srv).addObjects(srv.defaultCollectionId, generateObjects(5).map((s) => s.object)));
      expect(err).toMatchObject({ code: 'TAXII_TOO_LARGE', retryable: false });
      expect(srv.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    });

    it('reports an unknown status as TAXII_HTTP_404', async () => {
      const srv = await fx.server();
      expect(await caught(fx.client(srv).getStatus('2d086da7-4bdc-4f91-900e-d77486753710'))).toMatchObject({ code: 'TAXII_HTTP_404' });
    });
  });
});
