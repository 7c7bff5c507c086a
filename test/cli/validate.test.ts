// `taxii-connector validate`: exit codes 0/1/2, one line per rejection, --json, gzip, NDJSON and stdin.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { registerValidate, runValidate } from '../../src/cli/validate';

const GOOD = [
  {
    type: 'indicator', spec_version: '2.1', id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', created: '2024-03-01T10:00:00Z',
    modified: '2024-03-01T10:00:00Z', pattern: "[ipv4-addr:value = '198.51.100.1']", pattern_type: 'stix', valid_from: '2024-03-01T10:00:00Z',
  },
  { type: 'ipv4-addr', id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd', value: '198.51.100.1' },
];
const BAD = { ...GOOD[0], id: 'indicator--5fa6e2ac-2c4a-4f42-9a8f-3b3b1b3d6c11', pattern: "[ipv4-addr:value = '198.51.100.1'" };
const OLD = { type: 'tool', id: 'tool--6ba7b810-9dad-41d1-80b4-00c04fd430c8', created: '2024-03-01T10:00:00Z', modified: '2024-03-01T10:00:00Z', name: 'VNC', labels: ['remote-access'] };
const bundle = (objects: unknown[]) => JSON.stringify({ type: 'bundle', id: 'bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8', objects });

function capture(stdinText = '') {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c) => out.push(String(c)));
  stderr.on('data', (c) => err.push(String(c)));
  return { io: { stdout, stderr, stdin: Readable.from([Buffer.from(stdinText)]) }, out: () => out.join(''), err: () => err.join('') };
}

describe('taxii-connector validate', () => {
  let dir: string;
  const file = (name: string, content: string | Buffer): string => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'validate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('when every object is valid', () => {
    it('prints the counts and exits 0', async () => {
      const c = capture();
      const code = await runValidate([file('good.json', bundle(GOOD))], { json: false }, c.io);
      expect(code).toBe(0);
      expect(c.out()).toContain('2 objects: 2 accepted (0 upgraded from STIX 2.0), 0 rejected, 0 duplicates');
      expect(c.err()).toBe('');
    });

    it('reads gzipped files, NDJSON and stdin', async () => {
      const c = capture(GOOD.map((o) => JSON.stringify(o)).join('\n'));
      const gz = file('good.json.gz', gzipSync(bundle(GOOD)));
      const nd = file('good.ndjson', GOOD.map((o) => JSON.stringify(o)).join('\n'));
      expect(await runValidate([gz, nd, '-'], { json: false }, c.io)).toBe(0);
      expect(c.out().match(/2 accepted/g)).toHaveLength(3);
      expect(c.out()).toContain('<stdin>: 2 objects');
      expect(c.out()).toContain('total: 6 accepted');
    });

    it('upgrades STIX 2.0 objects as the pipeline does, or refuses them when asked', async () => {
      const path20 = file('old.json', bundle([OLD]));
      const c = capture();
      expect(await runValidate([path20], { json: false }, c.io)).toBe(0);
      expect(c.out()).toContain('1 accepted (1 upgraded from STIX 2.0)');
      const strict = capture();
      expect(await runValidate([path20], { json: false, upgrade20: false }, strict.io)).toBe(1);
      expect(strict.out()).toContain(`${OLD.id}  SPEC_VERSION_2_0`);
    });
  });

  describe('when an object is rejected', () => {
    it('prints one line per rejection and exits 1', async () => {
      const c = capture();
      const code = await runValidate([file('bad.json', bundle([...GOOD, BAD, 42]))], { json: false }, c.io);
      expect(code).toBe(1);
      expect(c.out()).toContain('4 objects: 2 accepted (0 upgraded from STIX 2.0), 2 rejected');
      expect(c.out()).toMatch(new RegExp(`  ${BAD.id}  PATTERN_SYNTAX  indicator.pattern: pattern syntax error at offset 33`));
      expect(c.out()).toContain('  (no id)  NOT_AN_OBJECT  ');
    });
  });

  describe('when a file cannot be read or parsed', () => {
    it.each<[string, () => string, RegExp]>([
      ['a missing file', () => path.join(dir, 'missing.json'), /cannot read .*missing\.json: no such file/],
      ['broken JSON', () => file('broken.json', '{"type": "bundle", "objects": ['), /cannot read .*broken\.json: invalid JSON/],
      ['a .gz file that is not gzip', () => file('fake.json.gz', bundle(GOOD)), /cannot read .*fake\.json\.gz: not valid gzip data/],
      ['an empty file', () => file('empty.json', ''), /cannot read .*empty\.json: the input is empty/],
    ])('names the file for %s, without a stack trace, and exits 2', async (_what, make, message) => {
      const c = capture();
      const code = await runValidate([make(), file('good.json', bundle(GOOD))], { json: false }, c.io);
      expect(code).toBe(2);
      expect(c.err()).toMatch(message);
      expect(c.err()).not.toMatch(/\n\s+at /);
      expect(c.out()).toContain('2 accepted');
    });
  });

  describe('with --json', () => {
    it('prints one JSON document for machines', async () => {
      const c = capture();
      const bad = file('bad.json', bundle([...GOOD, BAD, OLD]));
      const code = await runValidate([bad, path.join(dir, 'missing.json')], { json: true }, c.io);
      expect(code).toBe(2);
      const doc = JSON.parse(c.out());
      expect(doc).toMatchObject({
        ok: false,
        exitCode: 2,
        totals: { objects: 4, accepted: 3, upgraded: 1, rejected: 1, duplicates: 0, unreadable: 1 },
        files: [
          { file: bad, objects: 4, accepted: 3, upgraded: 1, rejected: [{ id: BAD.id, type: 'indicator', reason: 'PATTERN_SYNTAX', message: expect.stringContaining('offset 33') }] },
          { file: path.join(dir, 'missing.json'), error: 'no such file' },
        ],
      });
      expect(c.err()).toContain('missing.json');
    });

    it('reports ok when nothing was rejected', async () => {
      const c = capture();
      expect(await runValidate([file('good.json', bundle(GOOD))], { json: true }, c.io)).toBe(0);
      expect(JSON.parse(c.out())).toMatchObject({ ok: true, exitCode: 0, totals: { accepted: 2, rejected: 0 } });
    });
  });

  describe('as a commander command', () => {
    const saved = process.exitCode;
    afterEach(() => {
      process.exitCode = saved;
    });

    it('sets process.exitCode instead of exiting', async () => {
      const program = new Command('taxii-connector').exitOverride();
      registerValidate(program);
      const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        await program.parseAsync(['node', 'taxii-connector', 'validate', file('bad.json', bundle([BAD])), '--json']);
      } finally {
        write.mockRestore();
      }
      expect(process.exitCode).toBe(1);
    });
  });
});
