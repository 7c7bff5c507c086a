// Test helpers around the TAXII test server: servers and clients closed after each test, a client
// pointed at a test server, and shorthands to catch a typed error or drain a page iterator.
import { ConnectorError } from '../../src/errors';
import { TaxiiClient, type TaxiiClientOptions } from '../../src/taxii';
import { startTaxiiServer, type TaxiiServerOptions, type TaxiiTestServer } from './taxii-server';

/** A client for a test server (discovery URL, no auth, 2 s timeout) with overrides. */
export function testClient(srv: TaxiiTestServer, overrides: Partial<TaxiiClientOptions> = {}): TaxiiClient {
  return new TaxiiClient({ source: 'test', discoveryUrl: srv.url, credentials: { type: 'none' }, timeoutMs: 2000, ...overrides });
}

/**
 * Call inside a `describe`: returns factories whose servers and clients are closed after each test,
 * so no test leaves an open handle behind.
 */
export function taxiiFixture(): {
  server(options?: TaxiiServerOptions): Promise<TaxiiTestServer>;
  client(srv: TaxiiTestServer, overrides?: Partial<TaxiiClientOptions>): TaxiiClient;
} {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  return {
    async server(options) {
      const srv = await startTaxiiServer(options);
      open.push(srv);
      return srv;
    },
    client(srv, overrides) {
      const c = testClient(srv, overrides);
      open.push(c);
      return c;
    },
  };
}

/** The ConnectorError a promise rejects with (fails the test if it resolves or throws anything else). */
export async function caught(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConnectorError) return err;
    throw err;
  }
  throw new Error('expected a ConnectorError, but the call succeeded');
}

/** Drains an async iterator: the items yielded and the error that ended it, if any. */
export async function drain<T>(it: AsyncIterable<T>): Promise<{ items: T[]; error?: ConnectorError }> {
  const items: T[] = [];
  try {
    for await (const item of it) items.push(item);
  } catch (err) {
    if (err instanceof ConnectorError) return { items, error: err };
    throw err;
  }
  return { items };
}
