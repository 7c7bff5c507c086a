// readStixInput(): bundles, arrays, single objects, TAXII envelopes and NDJSON; clear errors otherwise.
import { readStixInput } from '../../src/stix';
import { valid } from './fixtures';

const a = valid('tool');
const b = valid('url');

describe('when STIX input text is read', () => {
  it.each<[string, string]>([
    ['a bundle', JSON.stringify({ type: 'bundle', id: 'bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8', objects: [a, b] })],
    ['a JSON array', JSON.stringify([a, b])],
    ['a TAXII envelope', JSON.stringify({ more: false, objects: [a, b] })],
    ['NDJSON', `${JSON.stringify(a)}\n\n${JSON.stringify(b)}\n`],
    ['NDJSON with CRLF and a BOM', `\ufeff${JSON.stringify(a)}\r\n${JSON.stringify(b)}\r\n`],
    ['NDJSON of bundles', `${JSON.stringify({ type: 'bundle', id: 'bundle--1', objects: [a] })}\n${JSON.stringify({ type: 'bundle', id: 'bundle--2', objects: [b] })}`],
  ])('returns the objects of %s', (_what, text) => {
    expect(readStixInput(text)).toEqual([a, b]);
  });

  it('returns a single object as a list of one', () => {
    expect(readStixInput(JSON.stringify(a))).toEqual([a]);
  });

  it('returns nothing for an empty envelope or a bundle without objects', () => {
    expect(readStixInput('{}')).toEqual([]);
    expect(readStixInput('{"type":"bundle","id":"bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8"}')).toEqual([]);
  });

  it('returns objects as they are, even invalid ones (normalize judges them)', () => {
    expect(readStixInput('[1, null, {"type": 3}]')).toEqual([1, null, { type: 3 }]);
  });

  it.each<[string, string, RegExp]>([
    ['empty input', '  \n', /empty/],
    ['broken JSON', '{"type": "bundle", ', /invalid JSON/],
    ['a broken NDJSON line', `${JSON.stringify(a)}\n{oops}\n`, /line 2/],
    ['a JSON string', '"hello"', /expected a STIX bundle/],
    ['a bundle whose objects is not a list', '{"type":"bundle","objects":{}}', /objects.*array/],
  ])('throws a clear error for %s', (_what, text, message) => {
    expect(() => readStixInput(text)).toThrow(message);
  });
});
