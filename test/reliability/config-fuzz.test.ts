// The config loader under random bad input (seeded, so a failure replays): hundreds of configs with
// one to three bad keys, through `loadConfig` in-process, must each throw a ConfigError naming every
// bad key path — never another exception; random damage to the YAML text yields a ConfigError or a
// valid config, never a crash; and the real command line exits 2 naming the key, without a stack.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config/load';
import { recordFigures } from '../support/reliability-figures';
import { removeDir } from '../support/pipeline-harness';
import { prng } from '../support/prng';
import { runCli } from '../support/run-cli';

jest.setTimeout(90_000);

type Path = Array<string | number>;
type Raw = Record<string, unknown>;
type Env = Record<string, string>;

const SEED = 0x5eed_c0f1;
const IN_PROCESS = 300;
const TEXT_DAMAGE = 100;
const VIA_CLI = 5;

/** A complete, valid configuration (checked below) that every case starts from. */
const BASE: Raw = {
  connector: { id: '0b6a1f7e-2c3d-4e5f-8a9b-0c1d2e3f4a5b', name: 'TAXII', log_level: 'info', log_format: 'json', duration_period: 'PT1H', shutdown_timeout_secs: 30 },
  redis: { url: 'redis://127.0.0.1:6379', prefix: 'fuzz' },
  sources: [
    {
      name: 'feed',
      discovery_url: 'https://taxii.example/taxii2/',
      auth: { type: 'bearer', token: 'fuzz-token-abcd-1234' },
      collections: ['*'],
      page_size: 1000,
      initial_history: 'P7D',
      match: { type: ['indicator'] },
      timeout_secs: 30,
      tls: { verify: true },
      max_response_bytes: 1_000_000,
      enrich: { labels: ['feed'], markings: ['green'], confidence: 50 },
      filter: { include_types: [], drop_revoked: false },
    },
  ],
  stix: { upgrade_2_0: true, bundle_max_objects: 1000, bundle_max_bytes: 1_000_000 },
  pipeline: { max_pages_in_flight: 4, max_pending_bundles: 200, fetch_concurrency: 2, deliver_concurrency: 4, normalize_threads: 1, max_attempts: 8, backoff_base_ms: 1000, backoff_max_ms: 300_000, resume_overlap_secs: 1, stale_run_secs: 3600, lock_duration_secs: 30 },
  sink: { type: 'http', mode: 'bundle', url: 'https://sink.example/bundles', auth: { type: 'none' }, headers: { 'X-Team': 'soc' }, timeout_secs: 60 },
  ops: { listen: '127.0.0.1:9464' },
};

/** `sources[0].auth.type` — the form ConfigError problems use. */
function formatPath(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${p}`;
  return out || '(root)';
}

/** A problem names `path` when it starts with it, followed by `:`, `.` or `[`. */
function names(problem: string, path: string): boolean {
  return problem.startsWith(path) && /^[:.[ ]/.test(problem.slice(path.length));
}

const PATH_LIKE = /^(\(root\)|[A-Za-z_][A-Za-z0-9_-]*(\[\d+\])?(\.[A-Za-z0-9_-]+(\[\d+\])?)*)(: |\.| )/;

interface Mutation {
  /** What the case touches; two mutations of one case never overlap. */
  path: Path;
  /** The key path a problem must name. */
  named: string;
  /** Text the problem naming it must contain (unknown keys: the key). */
  mentions?: string;
  /** `resolve`: reported only when the schema itself passes (cross-field and file checks). */
  stage: 'schema' | 'resolve';
  describe: string;
  apply(raw: Raw, env: Env): void;
}

function setAt(raw: Raw, path: Path, value: unknown): void {
  let node = raw as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

const S0: Path = ['sources', 0];
const NOT_NUMBERS = ['ten', true, [], { n: 1 }, ''];
const POSITIVE_INT = [0, -1, 1.5, ...NOT_NUMBERS];
const POSITIVE = [0, -3, ...NOT_NUMBERS];
const NOT_STRINGS = [42, true, ['x'], { a: 1 }];

/** Bad values per leaf: every one of them must be refused. */
const LEAVES: Array<[Path, unknown[]]> = [
  [['connector', 'id'], ['not-a-uuid', 12, '0b6a1f7e-2c3d-4e5f-8a9b']],
  [['connector', 'name'], ['', ...NOT_STRINGS]],
  [['connector', 'log_level'], ['LOUD', 'verbose', 3, ['info']]],
  [['connector', 'log_format'], ['xml', 1]],
  [['connector', 'duration_period'], ['1h', 'P', 'PT0S', 'forever', 3600, '-PT1H']],
  [['connector', 'shutdown_timeout_secs'], POSITIVE],
  [['redis', 'url'], ['http://127.0.0.1:6379', 'localhost:6379', 6379, '']],
  [['redis', 'prefix'], ['', 5, ['taxii']]],
  [[...S0, 'name'], ['', 'has space', 'a.b', 'x'.repeat(65), 7]],
  [[...S0, 'discovery_url'], ['not a url', 'taxii.example/taxii2', 5]],
  [[...S0, 'collections'], [[], 'all', [''], [3]]],
  [[...S0, 'page_size'], POSITIVE_INT],
  [[...S0, 'initial_history'], ['7d', 'P', 'PT0S', 7]],
  [[...S0, 'added_after'], ['yesterday', '2024-01-01', '2024-01-01 10:00', 1704067200, '2024-01-01T00:00:00']],
  [[...S0, 'match', 'type'], ['indicator', [''], [1]]],
  [[...S0, 'timeout_secs'], POSITIVE],
  [[...S0, 'tls', 'verify'], ['yes', 1, 'false']],
  [[...S0, 'proxy'], ['not a url', 8080, '']],
  [[...S0, 'max_response_bytes'], POSITIVE_INT],
  [[...S0, 'auth', 'type'], ['kerberos', 'Bearer', 1]],
  [[...S0, 'preset'], ['trend', 'TrendMicro', 1]],
  [[...S0, 'enrich', 'confidence'], [101, -1, 50.5, 'high']],
  [[...S0, 'enrich', 'markings'], [['purple'], 'green', [1]]],
  [[...S0, 'filter', 'drop_revoked'], ['yes', 0]],
  [['stix', 'bundle_max_objects'], POSITIVE_INT],
  [['stix', 'upgrade_2_0'], ['true', 1]],
  [['pipeline', 'max_pages_in_flight'], POSITIVE_INT],
  [['pipeline', 'max_attempts'], POSITIVE_INT],
  [['pipeline', 'backoff_base_ms'], POSITIVE_INT],
  [['pipeline', 'resume_overlap_secs'], [-1, ...NOT_NUMBERS]],
  [['pipeline', 'lock_duration_secs'], POSITIVE],
  [['sink', 'type'], ['ftp', 'HTTP', 3]],
  [['sink', 'mode'], ['push', 2]],
  [['sink', 'url'], ['not a url', 4]],
  [['sink', 'headers'], [['X: y'], 'X-Team: soc', { n: 1 }]],
  [['ops', 'listen'], ['9464', 'host:', 'host:port', ':9464', 1]],
];

/** Objects where an unknown key must be refused. */
/** Tagged unions: with a bad `type`, zod cannot tell which keys are unknown, so they count as one. */
const UNIONS = [formatPath([...S0, 'auth']), formatPath(['sink'])];
const OBJECTS: Path[] = [[], ['connector'], ['redis'], S0, [...S0, 'auth'], [...S0, 'tls'], [...S0, 'match'], [...S0, 'enrich'], [...S0, 'filter'], ['stix'], ['pipeline'], ['sink'], ['ops']];

/** Whole sections replaced by the wrong shape. */
const SHAPES: Array<[Path, unknown[]]> = [
  [['sources'], ['feed', [], [null], [[]], { name: 'feed' }, 3]],
  [['connector'], [['a'], 'x', 1]],
  [['pipeline'], ['fast', [1]]],
  [['sink'], ['file', [{ type: 'file' }], 2]],
  [[...S0, 'auth'], ['bearer', 5, []]],
];

/** Mutations whose problem is found after the schema: cross-field rules and files. */
const LATE: Mutation[] = [
  { path: [...S0, 'preset'], named: 'sources[0]', stage: 'resolve', describe: 'preset beside discovery_url', apply: (raw) => Object.assign((raw.sources as Raw[])[0]!, { preset: 'trendmicro', region: 'us' }) },
  { path: [...S0, 'region'], named: 'sources[0].region', stage: 'resolve', describe: 'region without preset', apply: (raw) => Object.assign((raw.sources as Raw[])[0]!, { region: 'eu' }) },
  { path: [...S0, 'auth'], named: 'sources[0].auth.token', stage: 'resolve', describe: 'bearer auth without a token', apply: (raw) => setAt(raw, [...S0, 'auth'], { type: 'bearer' }) },
  { path: [...S0, 'auth'], named: 'sources[0].auth.token_file', stage: 'resolve', describe: 'a token file that does not exist', apply: (raw) => setAt(raw, [...S0, 'auth'], { type: 'bearer', token_file: '/nonexistent/fuzz-token' }) },
  { path: ['sinks'], named: 'sink', stage: 'resolve', describe: 'sink and sinks together', apply: (raw) => (raw.sinks = [{ type: 'file', path: '/tmp' }]) },
  { path: ['ops', 'listen'], named: 'ops.listen', stage: 'resolve', describe: 'a port above 65535', apply: (raw) => setAt(raw, ['ops', 'listen'], '127.0.0.1:70000') },
  { path: ['sources', 1], named: 'sources[1].name', stage: 'resolve', describe: 'two sources with one name', apply: (raw) => (raw.sources as Raw[]).push({ name: 'feed', api_root: 'https://other.example/api1/' }) },
];

/** Environment overrides (OpenCTI naming and the TAXII_* shortcut) with bad values. */
const ENV: Array<[string, string[], Path]> = [
  ['TAXII_PAGE_SIZE', ['abc', '-5', '0'], [...S0, 'page_size']],
  ['CONNECTOR_LOG_LEVEL', ['LOUD', 'trace'], ['connector', 'log_level']],
  ['CONNECTOR_DURATION_PERIOD', ['1h', 'hourly'], ['connector', 'duration_period']],
  ['REDIS_URL', ['http://127.0.0.1:6379', 'nowhere'], ['redis', 'url']],
  ['OPS_LISTEN', ['nowhere', '9464'], ['ops', 'listen']],
  ['CONNECTOR_ID', ['abc'], ['connector', 'id']],
  ['TAXII_DISCOVERY_URL', ['not a url'], [...S0, 'discovery_url']],
  ['TAXII_ADDED_AFTER', ['yesterday'], [...S0, 'added_after']],
];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

/** One random mutation. */
function mutation(rand: () => number, i: number): Mutation {
  const kind = rand();
  if (kind < 0.45) {
    const [path, values] = pick(rand, LEAVES);
    const value = pick(rand, values);
    return { path, named: formatPath(path), stage: 'schema', describe: `${formatPath(path)} = ${JSON.stringify(value)}`, apply: (raw) => setAt(raw, path, structuredClone(value)) };
  }
  if (kind < 0.6) {
    const at = pick(rand, OBJECTS);
    const key = `zz_unknown_${i}`;
    return { path: UNIONS.includes(formatPath(at)) ? at : [...at, key], named: formatPath(at), mentions: `"${key}"`, stage: 'schema', describe: `unknown key ${formatPath([...at, key])}`, apply: (raw) => setAt(raw, [...at, key], 1) };
  }
  if (kind < 0.7) {
    const [path, values] = pick(rand, SHAPES);
    const value = pick(rand, values);
    return { path, named: formatPath(path), stage: 'schema', describe: `${formatPath(path)} = ${JSON.stringify(value)}`, apply: (raw) => setAt(raw, path, structuredClone(value)) };
  }
  if (kind < 0.76) {
    const path = pick<Path>(rand, [['sources'], [...S0, 'name'], ['sink', 'url'], ['sink', 'type']]);
    return { path, named: formatPath(path), stage: 'schema', describe: `${formatPath(path)} removed`, apply: (raw) => setAt(raw, path, undefined) };
  }
  if (kind < 0.82) {
    const path = pick<Path>(rand, [[...S0, 'name'], ['connector', 'name'], ['sink', 'content_type'], ['redis', 'prefix']]);
    const variable = `RELIABILITY_FUZZ_UNSET_${i}`;
    return { path, named: formatPath(path), mentions: variable, stage: 'schema', describe: `${formatPath(path)} = \${${variable}} (unset)`, apply: (raw) => setAt(raw, path, `\${${variable}}`) };
  }
  if (kind < 0.92) {
    const [name, values, path] = pick(rand, ENV);
    const value = pick(rand, values);
    return { path, named: formatPath(path), stage: 'schema', describe: `${name}=${value}`, apply: (_raw, env) => (env[name] = value) };
  }
  return pick(rand, LATE);
}

const overlaps = (a: Path, b: Path): boolean => {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n).every((p, i) => p === b[i]);
};

interface Case {
  n: number;
  mutations: Mutation[];
  raw: Raw;
  env: Env;
}

function makeCase(rand: () => number, n: number): Case {
  const want = 1 + Math.floor(rand() * 3);
  const mutations: Mutation[] = [];
  for (let tries = 0; mutations.length < want && tries < 20; tries++) {
    const m = mutation(rand, n * 10 + tries);
    if (!mutations.some((x) => overlaps(x.path, m.path))) mutations.push(m);
  }
  const raw = structuredClone(BASE);
  const env: Env = {};
  for (const m of mutations) m.apply(raw, env);
  return { n, mutations, raw, env };
}

/** Key paths every case must name: all schema-stage ones, and late ones when the schema passed. */
function expectedNames(c: Case): Mutation[] {
  const early = c.mutations.filter((m) => m.stage === 'schema');
  return early.length > 0 ? early : c.mutations;
}

function missingNames(c: Case, problems: string[]): string[] {
  return expectedNames(c)
    .filter((m) => !problems.some((p) => names(p, m.named) && (m.mentions === undefined || p.includes(m.mentions))))
    .map((m) => m.describe);
}

describe('when the configuration is fuzzed (seed 0x5eedc0f1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxii-rel-config-'));
  afterAll(() => removeDir(dir));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const load = (path: string, env: Env) => loadConfig({ path, explicitPath: true, env });

  it('starts from a configuration the loader accepts', () => {
    expect(() => load(write('base.yml', stringify(BASE)), {})).not.toThrow();
  });

  it(`refuses ${IN_PROCESS} random bad configs in-process, each with a ConfigError naming every bad key path`, () => {
    const rand = prng(SEED);
    const failures: string[] = [];
    let problemsSeen = 0;
    for (let n = 0; n < IN_PROCESS; n++) {
      const c = makeCase(rand, n);
      const path = write(`case-${n}.yml`, stringify(c.raw));
      let err: unknown;
      try {
        load(path, c.env);
      } catch (e) {
        err = e;
      }
      const what = `#${n} [${c.mutations.map((m) => m.describe).join('; ')}]`;
      if (err === undefined) failures.push(`${what}: accepted`);
      else if (!(err instanceof ConfigError)) failures.push(`${what}: threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
      else {
        problemsSeen += err.problems.length;
        const unnamed = err.problems.filter((p) => !PATH_LIKE.test(p));
        if (unnamed.length > 0) failures.push(`${what}: problems without a key path: ${JSON.stringify(unnamed)}`);
        const missing = missingNames(c, err.problems);
        if (missing.length > 0) failures.push(`${what}: nothing names ${missing.join(', ')} in ${JSON.stringify(err.problems)}`);
      }
    }
    expect(failures).toEqual([]);
    recordFigures('config fuzz in-process', { cases: IN_PROCESS, problems: problemsSeen, failures: failures.length });
  });

  it(`gives a ConfigError or a valid config for ${TEXT_DAMAGE} randomly damaged YAML files, never another exception`, () => {
    const rand = prng(SEED ^ 0xbad);
    const text = stringify(BASE);
    const damages = ['cut', 'flip', 'indent', 'insert'] as const;
    const outcomes = { refused: 0, accepted: 0 };
    const crashes: string[] = [];
    for (let n = 0; n < TEXT_DAMAGE; n++) {
      const at = Math.floor(rand() * text.length);
      const kind = pick(rand, damages);
      const damaged =
        kind === 'cut' ? text.slice(0, at)
        : kind === 'flip' ? `${text.slice(0, at)}${pick(rand, [':', '{', '[', '"', "'", '\t', '&', '*', '!', '%', '@', '`', '|', '>', '\u0000'])}${text.slice(at + 1)}`
        : kind === 'indent' ? text.replace(/\n/g, (m, i: number) => (i === at || (i > at && i < at + 40) ? '\n   ' : m))
        : `${text.slice(0, at)}\n  - [unclosed, {\n${text.slice(at)}`;
      try {
        load(write(`damaged-${n}.yml`, damaged), {});
        outcomes.accepted += 1;
      } catch (e) {
        if (e instanceof ConfigError) outcomes.refused += 1;
        else crashes.push(`#${n} ${kind}@${at}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      }
    }
    expect(crashes).toEqual([]);
    recordFigures('config fuzz damaged YAML', { cases: TEXT_DAMAGE, ...outcomes });
  });

  it(`exits 2 through the real CLI for ${VIA_CLI} of them, naming the key, with no stack trace`, async () => {
    const rand = prng(SEED ^ 0xc11);
    const runs: Array<{ command: string[]; named: string[]; code: number | null; stderr: string }> = [];
    for (let n = 0; n < VIA_CLI; n++) {
      let c = makeCase(rand, 1000 + n);
      // The CLI reads the real environment: keep the cases that live in the file.
      while (Object.keys(c.env).length > 0) c = makeCase(rand, 1000 + n);
      const file = write(`cli-${n}.yml`, stringify(c.raw));
      const command = n === 0 ? ['--config', file, 'sync', '--once'] : ['--config', file, 'config', 'check'];
      const r = await runCli(command, { timeoutMs: 20_000 });
      runs.push({ command, named: expectedNames(c).map((m) => m.named), code: r.code, stderr: r.stderr });
    }
    for (const r of runs) {
      expect({ command: r.command.slice(2).join(' '), code: r.code }).toEqual({ command: r.command.slice(2).join(' '), code: 2 });
      for (const path of r.named) expect(r.stderr).toContain(path);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toContain('fuzz-token-abcd-1234');
    }
    recordFigures('config fuzz via CLI', { runs: runs.length, exit2: runs.filter((r) => r.code === 2).length });
  });
});

describe('when a config value only looks right', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxii-rel-config-late-'));
  afterAll(() => removeDir(dir));

  it.each<[string, (raw: Raw) => void, string]>([
    ['an added_after in month 13', (raw) => setAt(raw, [...S0, 'added_after'], '2024-13-01T00:00:00Z'), 'sources[0].added_after'],
    ['an added_after on 30 February at 25:61', (raw) => setAt(raw, [...S0, 'added_after'], '2024-02-30T25:61:00Z'), 'sources[0].added_after'],
    ['a proxy written without its scheme (proxy.corp:3128)', (raw) => setAt(raw, [...S0, 'proxy'], 'proxy.corp:3128'), 'sources[0].proxy'],
    ['a discovery_url written without its scheme', (raw) => setAt(raw, [...S0, 'discovery_url'], 'taxii.example.com:443/taxii2/'), 'sources[0].discovery_url'],
    ['a tls.ca_file that does not exist', (raw) => setAt(raw, [...S0, 'tls'], { verify: true, ca_file: '/nonexistent/ca.pem' }), 'sources[0].tls.ca_file'],
  ])('refuses %s at load time, naming the key', (_what, edit, path) => {
    const raw = structuredClone(BASE);
    edit(raw);
    const file = join(dir, 'late.yml');
    writeFileSync(file, stringify(raw));
    let err: unknown;
    try {
      loadConfig({ path: file, explicitPath: true, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.some((p) => names(p, path))).toBe(true);
  });
});
