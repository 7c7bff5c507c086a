// The shared HTTP layer against real servers: credentials never cross to another origin, every
// request ends by its deadline, oversize and cut responses become typed errors.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ConnectorError } from '../../src/errors';
import { pageBodies } from '../../src/http/body-pool';
import { displayUrl, HttpClient, type Credentials } from '../../src/http/request';
import { caught, taxiiFixture } from '../support/taxii-client';

const ACCEPT = { Accept: 'application/taxii+json;version=2.1' };

describe('HttpClient', () => {
  const fx = taxiiFixture();
  const clients: HttpClient[] = [];
  const raw: http.Server[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    for (const s of raw.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  const client = (credentials: Credentials = { type: 'none' }, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient => {
    const c = new HttpClient({ codePrefix: 'PEER', credentials, timeoutMs: 2000, headers: ACCEPT, ...extra });
    clients.push(c);
    return c;
  };
  /** A bare server for behaviours the TAXII test server does not have. */
  const rawServer = async (handler: http.RequestListener): Promise<string> => {
    const s = http.createServer(handler);
    raw.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
  };

  describe('when a server redirects to another origin', () => {
    it('sends Authorization to the first origin only', async () => {
      const a = await fx.server({ auth: { type: 'bearer', token: 'first-origin-token' } });
      const b = await fx.server();
      a.setFault({ kind: 'redirect', toOrigin: b.origin, times: 1 });
      const res = await client({ type: 'bearer', token: 'first-origin-token' }).send({ url: a.url });
      expect(res.status).toBe(200);
      expect(res.url).toBe(b.url);
      expect(a.requests[0]!.headers.authorization).toBe('Bearer first-origin-token');
      expect(b.requests).toHaveLength(1);
      expect(b.requests[0]!.headers.authorization).toBeUndefined();
    });

    it('also drops an Authorization header given per request', async () => {
      const a = await fx.server();
      const b = await fx.server();
      a.setFault({ kind: 'redirect', toOrigin: b.origin, status: 307 });
      await client().send({ url: a.url, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      expect(b.requests[0]!.headers.authorization).toBeUndefined();
    });

    it('treats 127.0.0.1 and localhost as different origins', async () => {
      const a = await fx.server();
      a.setFault({ kind: 'redirect', toOrigin: `http://localhost:${a.port}`, times: 1 });
      const res = await client({ type: 'bearer', token: 'loopback-token' }).send({ url: a.url });
      expect(res.url).toBe(`http://localhost:${a.port}/taxii2/`);
      expect(a.requests.map((r) => r.headers.authorization)).toEqual(['Bearer loopback-token', undefined]);
    });
  });

  describe('when a server redirects within its origin', () => {
    it('keeps Authorization on the hop', async () => {
      const a = await fx.server({ auth: { type: 'bearer', token: 'same-origin-token' } });
      a.setFault({ kind: 'redirect', toOrigin: a.origin, times: 1 });
      const res = await client({ type: 'bearer', token: 'same-origin-token' }).send({ url: a.url });
      expect(res.status).toBe(200);
      expect(a.requests.map((r) => r.headers.authorization)).toEqual(['Bearer same-origin-token', 'Bearer same-origin-token']);
    });
  });

  describe('when a server redirects for ever', () => {
    it('stops with PEER_REDIRECT_LOOP', async () => {
      const a = await fx.server();
      a.setFault({ kind: 'redirect', toOrigin: a.origin });
      const err = await caught(client({ type: 'none' }, { maxRedirects: 3 }).send({ url: a.url }));
      expect(err).toMatchObject({ code: 'PEER_REDIRECT_LOOP', retryable: false });
    });
  });

  describe('when a server is slow', () => {
    it('times out before the headers with PEER_TIMEOUT (retryable)', async () => {
      const a = await fx.server();
      a.setFault({ kind: 'slow', delayMs: 3000 });
      const started = Date.now();
      const err = await caught(client({ type: 'none' }, { timeoutMs: 200 }).send({ url: a.url }));
      expect(err).toMatchObject({ code: 'PEER_TIMEOUT', retryable: true });
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it.each([
      ['as text', false],
      ['as bytes (raw)', true],
    ])('times out a body that trickles in, read %s, by a deadline for the whole exchange', async (_how, rawBody) => {
      const url = await rawServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 50);
        res.on('close', () => clearInterval(t));
      });
      const started = Date.now();
      const err = await caught(client({ type: 'none' }, { timeoutMs: 300 }).send({ url, raw: rawBody }));
      expect(err).toMatchObject({ code: 'PEER_TIMEOUT', retryable: true });
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it('honours a per-request timeout', async () => {
      const a = await fx.server();
      a.setFault({ kind: 'slow', delayMs: 3000 });
      const err = await caught(client().send({ url: a.url, timeoutMs: 100 }));
      expect(err.code).toBe('PEER_TIMEOUT');
    });
  });

  describe('when a response is larger than the cap', () => {
    it('fails with PEER_TOO_LARGE (not retryable), client-wide or per request', async () => {
      const a = await fx.server();
      expect((await caught(client({ type: 'none' }, { maxResponseBytes: 50 }).send({ url: a.url }))).code).toBe('PEER_TOO_LARGE');
      const err = await caught(client().send({ url: a.url, maxResponseBytes: 60 }));
      expect(err).toMatchObject({ code: 'PEER_TOO_LARGE', retryable: false });
      expect(err.message).toContain('60 bytes');
    });
  });

  describe('when the connection breaks', () => {
    it.each([
      ['before any answer', undefined],
      ['in the middle of the body', 40],
    ])('fails %s with a retryable PEER_NETWORK', async (_when, afterBytes) => {
      const a = await fx.server();
      a.setFault({ kind: 'reset', afterBytes });
      const err = await caught(client().send({ url: a.url }));
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ code: 'PEER_NETWORK', retryable: true });
    });

    it('fails a refused connection with a retryable PEER_NETWORK', async () => {
      const a = await fx.server();
      const url = a.url;
      await a.close();
      expect(await caught(client().send({ url }))).toMatchObject({ code: 'PEER_NETWORK', retryable: true });
    });
  });

  describe('when the body is asked for as bytes (raw)', () => {
    const gzipped = (text: string) => gzipSync(Buffer.from(text));

    it('returns the decompressed bytes, in memory a worker thread can share', async () => {
      const text = JSON.stringify({ more: false, objects: Array.from({ length: 2000 }, (_, i) => ({ id: `x--${i}`, name: 'Ünïcode ✓' })) });
      const url = await rawServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        res.end(gzipped(text));
      });
      const res = await client().send({ url, raw: true });
      expect(res.body).toBe('');
      expect(res.raw?.toString('utf8')).toBe(text);
      expect(res.raw?.buffer).toBeInstanceOf(SharedArrayBuffer);
    });

    it('reads a body of unannounced size past its first memory, and a wrongly announced one, byte for byte', async () => {
      const text = 'x'.repeat(3 * 1024 * 1024 + 17);
      const chunked = await rawServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        for (let at = 0; at < text.length; at += 100_000) res.write(text.slice(at, at + 100_000));
        res.end();
      });
      expect((await client().send({ url: chunked, raw: true })).raw?.toString('latin1')).toBe(text);
      const gzipLength = await rawServer((_req, res) => {
        const body = gzipped(text);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': body.length });
        res.end(body);
      });
      expect((await client().send({ url: gzipLength, raw: true })).raw?.toString('latin1')).toBe(text);
    });

    it('reads a body into memory a finished page gave back, and returns only its own bytes', async () => {
      const bodies = ['{"objects":["a long first body"]}', '{"objects":[]}'];
      const url = await rawServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(bodies.shift());
      });
      const first = (await client().send({ url, raw: true })).raw!;
      pageBodies.giveBack(first);
      const second = (await client().send({ url, raw: true })).raw!;
      expect(second.buffer).toBe(first.buffer);
      expect(second.toString('utf8')).toBe('{"objects":[]}');
    });

    it('decodes the body of an error answer as text', async () => {
      const url = await rawServer((_req, res) => {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        res.end('down for maintenance');
      });
      const res = await client().send({ url, raw: true });
      expect(res).toMatchObject({ status: 503, body: 'down for maintenance' });
      expect(res.raw).toBeUndefined();
    });

    it('follows a redirect and reads the final body', async () => {
      const a = await fx.server();
      const b = await fx.server();
      a.setFault({ kind: 'redirect', toOrigin: b.origin, times: 1 });
      const res = await client().send({ url: a.url, raw: true });
      expect(res.status).toBe(200);
      expect(res.url).toBe(b.url);
      expect(JSON.parse(res.raw!.toString('utf8'))).toHaveProperty('api_roots');
    });

    it('fails with PEER_TOO_LARGE past the cap, also when the size was not announced', async () => {
      const url = await rawServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('['.padEnd(4000, ' '));
        setTimeout(() => res.end('1]'.padStart(4000, ' ')), 20);
      });
      const err = await caught(client().send({ url, raw: true, maxResponseBytes: 5000 }));
      expect(err).toMatchObject({ code: 'PEER_TOO_LARGE', retryable: false });
    });

    it('fails a body cut in the middle with a retryable PEER_NETWORK', async () => {
      const a = await fx.server();
      a.setFault({ kind: 'reset', afterBytes: 40 });
      const err = await caught(client().send({ url: a.url, raw: true }));
      expect(err).toMatchObject({ code: 'PEER_NETWORK', retryable: true });
    });
  });

  describe('displayUrl', () => {
    it.each([
      ['https://user:secret@host.example/taxii2/', 'https://host.example/taxii2/'],
      ['https://host.example/taxii2/?next=abc', 'https://host.example/taxii2/?next=abc'],
    ])('shows %s as %s', (url, shown) => {
      expect(displayUrl(url)).toBe(shown);
    });
  });
});
