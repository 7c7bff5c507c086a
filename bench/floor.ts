// The floor of `npm run bench`: every page of a TAXII 2.1 collection read with plain `fetch` and
// `JSON.parse`, nothing else. `next` is followed with the same query and page size (TAXII 2.1
// §3.4). Run as a child process, as the connector is, so that it does not share the test server's
// event loop; prints one JSON line on stdout.
//
//   node --import tsx bench/floor.ts <objects URL> <limit> <added_after>

export interface FloorResult {
  pages: number;
  objects: number;
  /** Response bodies, in bytes (UTF-8). */
  bytes: number;
}

const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

async function readAll(objectsUrl: string, limit: string, addedAfter: string): Promise<FloorResult> {
  let pages = 0;
  let objects = 0;
  let bytes = 0;
  let next: string | undefined;
  do {
    const url = new URL(objectsUrl);
    url.searchParams.set('added_after', addedAfter);
    url.searchParams.set('limit', limit);
    if (next !== undefined) url.searchParams.set('next', next);
    const res = await fetch(url, { headers: { Accept: TAXII_MEDIA_TYPE } });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${url.pathname} answered ${res.status}: ${text.slice(0, 200)}`);
    const page = JSON.parse(text) as { more?: boolean; next?: string; objects?: unknown[] };
    pages++;
    objects += page.objects?.length ?? 0;
    bytes += Buffer.byteLength(text);
    next = page.more ? page.next : undefined;
  } while (next !== undefined);
  return { pages, objects, bytes };
}

if (require.main === module) {
  const [objectsUrl, limit, addedAfter] = process.argv.slice(2);
  if (!objectsUrl || !limit || !addedAfter) {
    process.stderr.write('usage: floor.ts <objects URL> <limit> <added_after>\n');
    process.exit(2);
  }
  readAll(objectsUrl, limit, addedAfter).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
