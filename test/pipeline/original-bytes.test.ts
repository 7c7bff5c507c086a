// Objects that normalization leaves as they came go into their bundles as the bytes the server sent
// (no second serialization); every other object is serialized anew. Either way a bundle must read
// back as exactly the objects normalization produced.
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeObjects, readPage, type PageSettings } from '../../src/pipeline/normalize-page';
import { ATTACK_FILES, DATA_DIR, idOf, T1, T2 } from '../stix/fixtures';
import { generateObjects } from '../support/taxii-server';

const settings: PageSettings = { upgrade20: true, nowMs: Date.parse('2026-01-01T00:00:00Z'), maxObjects: 400, maxBytes: 5 * 1024 * 1024, idSeed: 'feed/c/1/0' };
const objectsOf = (n: number, seed = 1) => generateObjects(n, { seed }).map((s) => s.object);

/** The page normalized from its bytes, and the same objects normalized with no bytes to draw on. */
function both(body: Buffer, s: PageSettings = settings) {
  const { outcome, objects } = readPage(body);
  if (!outcome.ok) throw new Error('not an envelope');
  const page = normalizeObjects(objects, s, body);
  const anew = normalizeObjects(objects, s);
  const text = Buffer.concat(page.bundles.map((b) => b.json)).toString('utf8');
  return { page, anew, text };
}

const decoded = (bundles: Array<{ json: Uint8Array }>) => bundles.map((b) => JSON.parse(Buffer.from(b.json).toString('utf8')));

describe('when unchanged objects go into bundles as the server sent them', () => {
  it('writes each one as it came, spacing and number spelling included, and the bundles read back the same', () => {
    const objects = objectsOf(500);
    const body = Buffer.from(JSON.stringify({ more: false, objects }, null, 2).replace('"spec_version": "2.1",', '"spec_version": "2.1", "x_big": 12345678901234567890,'));
    const { page, anew, text } = both(body);
    expect(text).toContain('"x_big": 12345678901234567890');
    expect(Buffer.concat(anew.bundles.map((b) => b.json)).toString()).toContain('"x_big":12345678901234567000');
    const first = objects.find((o) => o.type === 'indicator')!;
    expect(text).toContain(`"id": "${first.id}",\n`);
    expect(text).not.toContain(`"id":"${first.id}"`);
    expect(decoded(page.bundles)).toEqual(decoded(anew.bundles));
    expect(page.bundles.map((b) => [b.id, b.objects])).toEqual(anew.bundles.map((b) => [b.id, b.objects]));
  });

  it('cuts bundles by the bytes it writes: the size limit holds for what the server sent', () => {
    const body = Buffer.from(JSON.stringify({ objects: objectsOf(400) }, null, 8));
    const small = { ...settings, maxBytes: 60_000 };
    const { page, anew } = both(body, small);
    expect(page.bundles.length).toBeGreaterThan(anew.bundles.length);
    for (const b of page.bundles) expect(b.json.length).toBeLessThanOrEqual(60_000);
    expect(decoded(page.bundles).flatMap((b) => b.objects)).toEqual(decoded(anew.bundles).flatMap((b) => b.objects));
  });

  it('serializes anew what normalization changed: an object upgraded from STIX 2.0, or enriched', () => {
    const v20 = { type: 'malware', id: idOf('malware'), created: T1, modified: T2, name: 'Emotet', labels: ['trojan'] };
    const body = Buffer.from(JSON.stringify({ objects: [v20, ...objectsOf(20)] }, null, 1));
    const { page, text } = both(body);
    expect(page.upgraded).toBe(1);
    expect(text).toContain(`{"type":"malware","spec_version":"2.1","id":"${v20.id}",`);
    expect(text).not.toContain(`{\n  "type": "malware",\n  "id": "${v20.id}"`);
    const enriched = both(body, { ...settings, enrich: { override_author: false, markings: ['amber'], labels: [], opencti: {} } });
    expect(enriched.text).not.toContain('\n');
    expect(decoded(enriched.page.bundles)).toEqual(decoded(enriched.anew.bundles));
  });

  it('writes an object that had a name twice as JSON.parse read it, not as sent', () => {
    const [o] = objectsOf(1);
    const sent = JSON.stringify(o).replace(/}$/, ',"description":"first","description":"second"}');
    const { text } = both(Buffer.from(`{"objects":[${sent}]}`));
    expect(text).toContain('"description":"second"');
    expect(text).not.toContain('first');
  });

  it('serializes anew a page that is not valid UTF-8 (its text was read with replacement characters)', () => {
    const objects = objectsOf(3).map((o) => (o.type === 'identity' ? o : { ...o, description: 'bad byte: @' }));
    const body = Buffer.from(JSON.stringify({ objects }, null, 2));
    body[body.indexOf('bad byte: @') + 'bad byte: '.length] = 0xff;
    const { page, anew, text } = both(body);
    expect(text).toContain('bad byte: \uFFFD');
    expect(text).not.toContain('\n');
    expect(decoded(page.bundles)).toEqual(decoded(anew.bundles));
  });

  it('writes non-ASCII text and a byte order mark page as sent', () => {
    const objects = objectsOf(5).map((o) => (o.type === 'identity' ? o : { ...o, description: 'Ünïcödé ✓ 𝔘' }));
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ objects }, null, 2))]);
    const { page, anew, text } = both(body);
    expect(text).toContain('"description": "Ünïcödé ✓ 𝔘"');
    expect(decoded(page.bundles)).toEqual(decoded(anew.bundles));
  });

  it.each(ATTACK_FILES)('passes real ATT&CK data (%s) through as it came', (file) => {
    const body = gunzipSync(readFileSync(path.join(DATA_DIR, file)));
    const { page, anew } = both(body, { ...settings, maxObjects: 5000 });
    expect(page.accepted).toBeGreaterThan(1000);
    expect(decoded(page.bundles)).toEqual(decoded(anew.bundles));
    // The release is indented: each object comes out with the server's spacing, not JSON.stringify's.
    const parsed = JSON.parse(body.toString('utf8')) as { objects: Array<{ id: string }> };
    const inBundles = Buffer.concat(page.bundles.map((b) => b.json)).toString('utf8');
    for (const o of parsed.objects.filter((_, i) => i % 97 === 0)) {
      expect(inBundles).toContain(`"id": "${o.id}"`);
      expect(inBundles).not.toContain(`"id":"${o.id}"`);
    }
  });
});
