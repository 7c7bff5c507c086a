// How the TAXII client fails against a misbehaving server: every failure a typed error with a
// stable code and the right retry decision, naming the source and never the secret.
import { caught, taxiiFixture } from '../support/taxii-client';
import { generateObjects, type TaxiiTestServer } from '../support/taxii-server';

const TOKEN = 'vision-one-token-5f2b9c';
const PASSWORD = 'basic-pass-7d1e0a';

describe('TAXII client errors', () => {
  const fx = taxiiFixture();
  const page = (srv: TaxiiTestServer, client = fx.client(srv)) => client.getObjectsPage(srv.defaultCollectionId, { limit: 10 });

  describe('when the server answers 429', () => {
    it('reports Retry-After seconds as retryAfterMs on a retryable TAXII_HTTP_429', async () => {
      const srv = await fx.server({ objects: generateObjects(5) });
      srv.setFault({ kind: '429', retryAfterSecs: 3, on: 'objects', times: 1 });
      const err = await caught(page(srv));
      expect(err).toMatchObject({ code: 'TAXII_HTTP_429', retryable: true, retryAfterMs: 3000, status: 429 });
      expect(err.message).toBe(`source "test": GET ${srv.collectionUrl()}objects/?limit=10 failed with HTTP 429: Too Many Requests: rate limit exceeded`);
      expect((await page(srv)).objects).toHaveLength(5);
    });

    it('reports a Retry-After HTTP date as the time left', async () => {
      const srv = await fx.server();
      srv.setFault({ kind: '429', retryAfterDate: new Date(Date.now() + 30_000) });
      const err = await caught(page(srv));
      expect(err.retryAfterMs).toBeGreaterThan(25_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
    });
  });

  describe('when the server answers another error status', () => {
    it.each([
      [400, false],
      [404, false],
      [406, false],
      [413, false],
      [415, false],
      [500, true],
      [501, false],
      [502, true],
      [503, true],
      [504, true],
    ])('turns HTTP %i into TAXII_HTTP_<status>, retryable: %s', async (status, retryable) => {
      const srv = await fx.server();
      srv.setFault({ kind: 'status', status, on: 'objects' });
      expect(await caught(page(srv))).toMatchObject({ code: `TAXII_HTTP_${status}`, retryable, status });
    });

    it('puts the TAXII error message (title, description, error_code) into the error', async () => {
      const srv = await fx.server();
      const body = { title: 'Collection paused', description: 'maintenance until 02:00 UTC', error_code: 'MAINT-7', http_status: '503' };
      srv.setFault({ kind: 'status', status: 503, body, headers: { 'Retry-After': '120' } });
      const err = await caught(page(srv));
      expect(err.message).toContain('HTTP 503: Collection paused: maintenance until 02:00 UTC (error_code MAINT-7)');
      expect(err).toMatchObject({ retryable: true, retryAfterMs: 120_000, details: expect.objectContaining({ error_code: 'MAINT-7' }) });
    });

    it('describes a proxy HTML error page by its title', async () => {
      const srv = await fx.server();
      srv.setFault({ kind: 'html', status: 502 });
      const err = await caught(page(srv));
      expect(err).toMatchObject({ code: 'TAXII_HTTP_502', retryable: true });
      expect(err.message).toContain('an HTML page "502 Bad Gateway"');
    });
  });

  describe('when the credentials are refused', () => {
    it('names the source and bearer auth, never the token (HTTP 401)', async () => {
      const srv = await fx.server({ auth: { type: 'bearer', token: 'the-right-token' } });
      const err = await caught(page(srv, fx.client(srv, { source: 'trend', credentials: { type: 'bearer', token: TOKEN } })));
      expect(err).toMatchObject({ code: 'TAXII_AUTH', retryable: false, status: 401, details: expect.objectContaining({ auth_type: 'bearer' }) });
      expect(err.message).toMatch(/^source "trend": the TAXII server refused bearer authentication \(HTTP 401\)/);
      for (const text of [String(err), err.message, JSON.stringify(err.details), err.stack ?? '']) expect(text).not.toContain(TOKEN);
    });

    it('names basic auth and leaks neither the password nor the encoded pair', async () => {
      const srv = await fx.server({ auth: { type: 'basic', username: 'business-id', password: 'right' } });
      const err = await caught(page(srv, fx.client(srv, { source: 'trend', credentials: { type: 'basic', username: 'business-id', password: PASSWORD } })));
      expect(err.message).toContain('refused basic authentication (HTTP 401)');
      const encoded = Buffer.from(`business-id:${PASSWORD}`).toString('base64');
      for (const text of [String(err), JSON.stringify(err.details)]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(encoded);
      }
    });

    it('says when no credentials were sent at all', async () => {
      const srv = await fx.server({ auth: { type: 'bearer', token: 'x-token-1234' } });
      expect((await caught(page(srv))).message).toContain('refused a request without credentials (HTTP 401)');
    });

    it('reports 403 as access denied with the auth type', async () => {
      const srv = await fx.server();
      srv.setFault({ kind: 'status', status: 403 });
      const err = await caught(page(srv, fx.client(srv, { credentials: { type: 'bearer', token: TOKEN } })));
      expect(err).toMatchObject({ code: 'TAXII_AUTH', status: 403, retryable: false });
      expect(err.message).toContain('denied access with bearer authentication (HTTP 403)');
    });

    it('redacts its own token when the server echoes it back', async () => {
      const echoed = 'echoed-token-0c4d8e';
      const srv = await fx.server();
      srv.setFault({ kind: 'status', status: 401, body: { title: 'Unauthorized', description: `token ${echoed} is revoked` } });
      const err = await caught(page(srv, fx.client(srv, { credentials: { type: 'bearer', token: echoed } })));
      expect(err.message).toContain('token [REDACTED] is revoked');
    });
  });

  describe('with basic auth (Trend: business id and API token)', () => {
    it('reads pages when the credentials are right', async () => {
      const srv = await fx.server({ auth: { type: 'basic', username: 'business-id', password: PASSWORD }, objects: generateObjects(4) });
      const result = await page(srv, fx.client(srv, { credentials: { type: 'basic', username: 'business-id', password: PASSWORD } }));
      expect(result.objects).toHaveLength(4);
      expect(srv.requests.every((r) => r.headers.authorization?.startsWith('Basic '))).toBe(true);
    });
  });

  describe('when the server redirects to another origin', () => {
    it('follows, and the other origin receives no Authorization', async () => {
      const other = await fx.server({ objects: generateObjects(3) });
      const srv = await fx.server({ auth: { type: 'bearer', token: TOKEN }, objects: generateObjects(3) });
      srv.setFault({ kind: 'redirect', toOrigin: other.origin, on: 'objects' });
      const client = fx.client(srv, { credentials: { type: 'bearer', token: TOKEN } });
      const result = await page(srv, client);
      expect(result.objects).toHaveLength(3);
      expect(srv.requestsTo('objects')[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]!.headers.authorization).toBeUndefined();
    });
  });

  describe('when the server is too slow', () => {
    it('fails with a retryable TAXII_TIMEOUT that names the source', async () => {
      const srv = await fx.server();
      srv.setFault({ kind: 'slow', delayMs: 2000, on: 'objects' });
      const started = Date.now();
      const err = await caught(page(srv, fx.client(srv, { timeoutMs: 150 })));
      expect(err).toMatchObject({ code: 'TAXII_TIMEOUT', retryable: true });
      expect(err.message).toMatch(/^source "test": request to .* timed out after 150 ms$/);
      expect(Date.now() - started).toBeLessThan(1500);
    });
  });

  describe('when the connection is reset', () => {
    it('fails with a retryable TAXII_NETWORK', async () => {
      const srv = await fx.server();
      srv.setFault({ kind: 'reset', on: 'objects' });
      expect(await caught(page(srv))).toMatchObject({ code: 'TAXII_NETWORK', retryable: true });
    });
  });

  describe('when the body is not what was expected', () => {
    it('reports truncated JSON as a retryable TAXII_BAD_JSON', async () => {
      const srv = await fx.server({ objects: generateObjects(20) });
      srv.setFault({ kind: 'truncated-json', on: 'objects' });
      const err = await caught(page(srv));
      expect(err).toMatchObject({ code: 'TAXII_BAD_JSON', retryable: true });
      expect(err.message).toContain('cut short');
    });

    it('reports an HTML page served as 200 as TAXII_CONTENT_TYPE', async () => {
      const srv = await fx.server();
      srv.setFault({ kind: 'html', status: 200 });
      const err = await caught(page(srv));
      expect(err).toMatchObject({ code: 'TAXII_CONTENT_TYPE', retryable: false });
      expect(err.message).toContain('an HTML page ("502 Bad Gateway")');
    });

    it('reports a non-JSON body of another type as TAXII_CONTENT_TYPE', async () => {
      const srv = await fx.server();
      srv.setFault({ kind: 'status', status: 200, body: 'service notice: try later', headers: { 'Content-Type': 'text/plain' } });
      const err = await caught(page(srv));
      expect(err).toMatchObject({ code: 'TAXII_CONTENT_TYPE' });
      expect(err.message).toContain('content type text/plain: service notice: try later');
    });

    it.each([
      'application/taxii+json;version=2.1',
      'Application/TAXII+JSON ; Version=2.1',
      'application/taxii+json',
      'application/stix+json;version=2.1',
      'application/vnd.oasis.taxii+json; version=2.0',
      'application/json; charset=utf-8',
      'text/plain',
      'text/html',
    ])('accepts a JSON body served as %p', async (contentType) => {
      const srv = await fx.server({ objects: generateObjects(2) });
      srv.setFault({ kind: 'wrong-content-type', contentType });
      expect((await page(srv)).objects).toHaveLength(2);
    });

    describe('and the page is read as bytes for the pipeline (getObjectsPageBody)', () => {
      const bytesOf = (srv: TaxiiTestServer) => fx.client(srv).getObjectsPageBody(srv.defaultCollectionId, { limit: 10 });

      it('returns the body as the server sent it, with the paging headers, the same page getObjectsPage reads', async () => {
        const srv = await fx.server({ objects: generateObjects(25) });
        const parsed = await page(srv);
        const raw = await bytesOf(srv);
        expect(JSON.parse(raw.body.toString('utf8'))).toEqual({ more: parsed.more, next: parsed.next, objects: parsed.objects });
        expect(raw).toMatchObject({ bytes: raw.body.length, status: 200, dateAddedFirst: parsed.dateAddedFirst, dateAddedLast: parsed.dateAddedLast });
        expect(raw.what).toBe(`source "test": GET ${srv.collectionUrl()}objects/?limit=10`);
      });

      it.each([
        ['an HTML page served as 200', { kind: 'html', status: 200 } as const, 'TAXII_CONTENT_TYPE', 'an HTML page ("502 Bad Gateway")'],
        ['a non-JSON body of another type', { kind: 'status', status: 200, body: 'service notice: try later', headers: { 'Content-Type': 'text/plain' } } as const, 'TAXII_CONTENT_TYPE', 'content type text/plain: service notice: try later'],
        ['a 429', { kind: '429', retryAfterSecs: 2 } as const, 'TAXII_HTTP_429', 'failed with HTTP 429'],
      ])('reports %s as getObjectsPage does', async (_what, fault, code, text) => {
        const srv = await fx.server({ objects: generateObjects(5) });
        srv.setFault({ ...fault, on: 'objects' });
        const err = await caught(bytesOf(srv));
        expect(err.code).toBe(code);
        expect(err.message).toContain(text);
      });
    });

    it('reports objects that are not an array as TAXII_BAD_ENVELOPE', async () => {
      const srv = await fx.server({ objects: generateObjects(2) });
      srv.setFault({ kind: 'objects-not-array' });
      const err = await caught(page(srv));
      expect(err).toMatchObject({ code: 'TAXII_BAD_ENVELOPE', retryable: false });
      expect(err.message).toContain('objects:');
    });
  });

  describe('when a page is larger than allowed', () => {
    it("respects the API root's max_content_length", async () => {
      const srv = await fx.server({ objects: generateObjects(40), maxContentLength: 8000 });
      const client = fx.client(srv);
      expect((await client.getObjectsPage(srv.defaultCollectionId, { limit: 5 })).objects).toHaveLength(5);
      const err = await caught(client.getObjectsPage(srv.defaultCollectionId, { limit: 40 }));
      expect(err).toMatchObject({ code: 'TAXII_TOO_LARGE', retryable: false });
      expect(err.message).toContain("the API root's max_content_length is 8000 bytes");
    });

    it('respects max_response_bytes when it is the smaller cap', async () => {
      const srv = await fx.server({ objects: generateObjects(40) });
      const err = await caught(page(srv, fx.client(srv, { maxResponseBytes: 3000 })));
      expect(err).toMatchObject({ code: 'TAXII_TOO_LARGE' });
      expect(err.message).toContain('max_response_bytes is 3000');
    });
  });
});
