// readEnvelope (the normalizer thread's, checked by hand) and the client's zod Envelope must read
// every envelope alike: the same verdict, the same members at fault, the same paging facts.
import { readEnvelope } from '../../src/taxii/envelope';
import { Envelope, schemaIssues } from '../../src/taxii/schema';

const bodies: [string, string][] = [
  ['a full page', '{"more": true, "next": "abc", "objects": [{"type": "indicator"}, 1, null]}'],
  ['the last page', '{"more": false, "objects": []}'],
  ['an empty envelope', '{}'],
  ['null members', '{"more": null, "next": null, "objects": null}'],
  ['a numeric next', '{"more": true, "next": 42, "objects": []}'],
  ['an empty next', '{"more": true, "next": "", "objects": []}'],
  ['unknown members', '{"more": false, "objects": [], "x_vendor": {"a": 1}}'],
  ['more as a string', '{"more": "yes", "objects": []}'],
  ['more as a number', '{"more": 1}'],
  ['next as an object', '{"next": {"token": "a"}}'],
  ['next as a boolean', '{"next": true}'],
  ['objects as an object', '{"objects": {"type": "indicator"}}'],
  ['objects as a string', '{"objects": "[]"}'],
  ['three members at fault', '{"more": [], "next": [], "objects": 0}'],
  ['an array', '[{"type": "indicator"}]'],
  ['a string', '"objects"'],
  ['null', 'null'],
  ['a number', '7'],
];

describe('readEnvelope', () => {
  it.each(bodies)('reads %s as the client schema does', (_name, body) => {
    const read = readEnvelope(body);
    const parsed = Envelope.safeParse(JSON.parse(body));
    expect(read.ok).toBe(parsed.success);
    if (read.ok && parsed.success) {
      const token = parsed.data.next === '' ? undefined : parsed.data.next;
      expect(read).toEqual({ ok: true, more: parsed.data.more === true, next: token, objects: parsed.data.objects ?? [] });
    } else if (!read.ok && !parsed.success) {
      expect(read.kind).toBe('BAD_ENVELOPE');
      const paths = read.kind === 'BAD_ENVELOPE' ? read.issues.map((i) => i.path) : [];
      expect(paths.sort()).toEqual(schemaIssues(parsed.error).map((i) => i.path).sort());
    }
  });

  it('says what a member at fault should have been and what it was', () => {
    expect(readEnvelope('{"more": "yes", "objects": {}}')).toEqual({
      ok: false,
      kind: 'BAD_ENVELOPE',
      issues: [
        { path: 'more', message: 'expected boolean, received string' },
        { path: 'objects', message: 'expected array, received object' },
      ],
    });
    expect(readEnvelope('[]')).toEqual({ ok: false, kind: 'BAD_ENVELOPE', issues: [{ path: '', message: 'expected object, received array' }] });
  });

  it('refuses text that is not JSON, with the parser\'s reason', () => {
    const read = readEnvelope('{"more": true, "objects": [{"type": "indic');
    expect(read).toMatchObject({ ok: false, kind: 'BAD_JSON' });
    expect(read.ok === false && read.kind === 'BAD_JSON' ? read.reason : '').toMatch(/JSON/);
  });
});
