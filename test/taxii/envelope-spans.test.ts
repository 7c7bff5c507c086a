// The byte pass that finds each object of an envelope in the page's bytes: every span must parse
// to exactly the object JSON.parse made of the page, and where the two could read the bytes
// differently it must give up rather than guess.
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { envelopeSpans, memberCount, type EnvelopeSpans } from '../../src/taxii/envelope-spans';
import { ATTACK_FILES, DATA_DIR } from '../stix/fixtures';
import { generateObjects } from '../support/taxii-server';

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** Each span parsed on its own, or null for an element with no span. */
function elements(bytes: Buffer, spans: EnvelopeSpans): unknown[] {
  return Array.from({ length: spans.count }, (_, i) => (spans.end[i]! > spans.start[i]! ? JSON.parse(bytes.subarray(spans.start[i], spans.end[i]).toString('utf8')) : null));
}

/** The spans of `bytes` checked against JSON.parse: same objects, same member counts. */
function expectFaithful(bytes: Buffer): EnvelopeSpans {
  const parsed = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as { objects?: unknown[] };
  const objects = parsed.objects ?? [];
  const spans = envelopeSpans(bytes);
  if (spans === undefined) throw new Error('no spans');
  expect(spans.count).toBe(objects.length);
  const isObject = (o: unknown) => typeof o === 'object' && o !== null && !Array.isArray(o);
  expect(elements(bytes, spans)).toEqual(objects.map((o) => (isObject(o) ? o : null)));
  for (let i = 0; i < objects.length; i++) if (isObject(objects[i])) expect(spans.members[i]).toBe(memberCount(objects[i]));
  // Each object's own id and modified, where they are strings needing no escape, as written.
  const own = (i: number, from: Uint32Array, to: Uint32Array) => (to[i]! > 0 ? bytes.toString('utf8', from[i], to[i]) : undefined);
  const plain = (v: unknown) => (typeof v === 'string' && JSON.stringify(v) === `"${v}"` ? v : undefined);
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i] as { id?: unknown; modified?: unknown };
    if (!isObject(o)) continue;
    if (plain(o.id) !== undefined || o.id === undefined) expect(own(i, spans.idFrom, spans.idTo)).toBe(o.id);
    if (plain(o.modified) !== undefined || o.modified === undefined) expect(own(i, spans.modifiedFrom, spans.modifiedTo)).toBe(o.modified);
  }
  return spans;
}

describe('when a page is read for where its objects lie (envelopeSpans)', () => {
  const objects = generateObjects(300, { seed: 7 }).map((s) => s.object);

  it('finds every object of a compact and of a pretty-printed envelope, wherever `objects` sits', () => {
    expectFaithful(utf8(JSON.stringify({ more: true, next: 'n-1', objects })));
    expectFaithful(utf8(JSON.stringify({ objects, more: false }, null, 2)));
    expectFaithful(utf8(`\r\n\t{ "next" : "a" ,\n "objects" :\n[ ${objects.slice(0, 5).map((o) => JSON.stringify(o, null, '\t')).join(' ,\n ')} ] , "more" : true }\n`));
  });

  it('finds the objects of real ATT&CK bundles (custom types and properties, long descriptions)', () => {
    for (const file of ATTACK_FILES) {
      const spans = expectFaithful(gunzipSync(readFileSync(path.join(DATA_DIR, file))));
      expect(spans.count).toBeGreaterThan(1000);
    }
  });

  it('is not misled by strings holding structure, escapes and non-ASCII text, nor by `objects` deeper down', () => {
    const tricky = [
      { type: 'note', id: 'note--1', content: 'a{b}[c]:d,e "quoted" \\ back\\slash \\" }]', objects: [{ objects: [] }] },
      { type: 'x-thing', id: 'x-thing--2', 'a:b': '",{', nested: { deep: [[{ k: 'v' }], {}], '': null }, uni: 'Ünïcödé ✓ 𝔘 \u2028 \u0000' },
      { type: 'note', id: 'note--3', n: [1.5e-7, -0, 12345678901234567890, true, false, null] },
    ];
    const spans = expectFaithful(utf8(JSON.stringify({ objects: tricky, more: false })));
    expect(Array.from(spans.members.subarray(0, 3))).toEqual([5, 8, 3]);
    expectFaithful(utf8('{"objects":[{"type":"note","id":"note--4","s":"\\u007b\\"\\\\\\""}]}'));
  });

  it('counts elements that are not objects, giving them no span, and reads empty envelopes', () => {
    const spans = expectFaithful(utf8('{"objects": [1, "s{", null, [{"a": 1}], {"type": "note"}, true, -2.5e3, {}]}'));
    expect(spans.count).toBe(8);
    expect([0, 1, 2, 3, 5, 6].map((i) => spans.end[i]! - spans.start[i]!)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(envelopeSpans(utf8('{}'))?.count).toBe(0);
    expect(envelopeSpans(utf8('{"more": false, "objects": [ ]}'))?.count).toBe(0);
    expect(envelopeSpans(utf8('{"objects": null, "more": false, "x": [{"a": 1}]}'))?.count).toBe(0);
  });

  it('skips a byte order mark, keeping offsets in the bytes as received', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(JSON.stringify({ objects: objects.slice(0, 3) }))]);
    const spans = expectFaithful(bytes);
    expect(spans.start[0]).toBe(3 + '{"objects":['.length);
    expect(spans.arrayOpen).toBe(3 + '{"objects":'.length);
    expect(bytes[spans.arrayClose]).toBe(0x5d);
    expect(bytes.subarray(spans.arrayClose).toString()).toBe(']}');
  });

  it('counts each name it sees, so that a name JSON.parse kept once out of two shows', () => {
    const bytes = utf8('{"objects": [{"type": "note", "id": "note--1", "content": "first", "content": "second", "x": {"a": 1, "a": 2}}]}');
    const spans = envelopeSpans(bytes);
    const parsed = JSON.parse(bytes.toString()) as { objects: unknown[] };
    expect(spans?.members[0]).toBe(7);
    expect(memberCount(parsed.objects[0])).toBe(5);
  });

  it('gives up where JSON.parse and a byte pass could read the page differently', () => {
    expect(envelopeSpans(utf8('{"objects": [{"a": 1}], "objects": [{"b": 2}]}'))).toBeUndefined();
    expect(envelopeSpans(utf8('{"objects": [{"a": 1}], "\\u006fbjects": [{"b": 2}]}'))).toBeUndefined();
    expect(envelopeSpans(utf8('{"objects": {"a": 1}}'))).toBeUndefined();
    expect(envelopeSpans(utf8('[{"objects": [{"a": 1}]}]'))).toBeUndefined();
    expect(envelopeSpans(utf8('{"objects": [{"a": "cut'))).toBeUndefined();
    expect(envelopeSpans(utf8('{"objects": [{"a": 1}'))).toBeUndefined();
  });

  it.each([
    ['a missing comma between objects', '{"objects": [{"a": 1} {"b": 2}]}'],
    ['a comma too many', '{"objects": [{"a": 1},]}'],
    ['a comma first', '{"objects": [,{"a": 1}]}'],
    ['two commas', '{"objects": [{"a": 1},,{"b": 2}]}'],
    ['a bare word between objects', '{"objects": [{"a": 1} x, {"b": 2}]}'],
    ['two bare values without a comma', '{"objects": [1 2]}'],
    ['an array closed by a brace', '{"objects": [{"a": 1}}'],
    ['an object closed by a bracket', '{"objects": [{"a": 1]]}'],
    ['a colon between objects', '{"objects": [{"a": 1}: {"b": 2}]}'],
    ['a closing brace too many', '{"objects": [{"a": 1}]}}'],
  ])('gives up on bytes JSON.parse would refuse: %s', (_what, text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(envelopeSpans(utf8(text))).toBeUndefined();
  });

  it('holds more objects than it first makes room for', () => {
    const many = generateObjects(5000, { seed: 3 }).map((s) => s.object);
    expect(expectFaithful(utf8(JSON.stringify({ objects: many }))).count).toBe(5000);
  });
});
