import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load';

const dir = mkdtempSync(join(tmpdir(), 'taxii-config-'));
let n = 0;
function file(text: string): string {
  const path = join(dir, `c${n++}.yml`);
  writeFileSync(path, text);
  return path;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const minimal = `
sources:
  - name: trend
    preset: trendmicro
    region: us
    auth: { type: bearer, token: tok-123456 }
`;

describe('loading a YAML config', () => {
  it('fills every default', () => {
    const c = loadConfig({ path: file(minimal), env: {} });
    expect(c.connector).toMatchObject({ log_level: 'info', duration_period: 'PT1H' });
    expect(c.durationPeriodMs).toBe(3_600_000);
    expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'taxii' });
    expect(c.sources[0]).toMatchObject({
      name: 'trend',
      collections: ['*'],
      page_size: 1000,
      initial_history: 'P7D',
      initialHistoryMs: 7 * 86_400_000,
      discoveryUrl: 'https://api.xdr.trendmicro.com/v3.0/threatintel/feeds/taxii2',
      credentials: { type: 'bearer', token: 'tok-123456' },
    });
    expect(c.sinks).toEqual([{ type: 'file', name: 'file', path: './data/bundles' }]);
    expect(c.ops).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it.each([
    ['us', 'https://api.xdr.trendmicro.com/v3.0/threatintel/feeds/taxii2'],
    ['eu', 'https://api.xdr.trendmicro.com/v3.0/threatintel/feeds/taxii2'],
    ['sg', 'https://api.sg.xdr.trendmicro.com/v3.0/threatintel/feeds/taxii2'],
    ['jp', 'https://api.xdr.trendmicro.co.jp/v3.0/threatintel/feeds/taxii2'],
    ['au', 'https://api.au.xdr.trendmicro.com/v3.0/threatintel/feeds/taxii2'],
    ['in', 'https://api.in.xdr.trendmicro.com/v3.0/threatintel/feeds/taxii2'],
    ['ae', 'https://api.mea.xdr.trendmicro.com/v3.0/threatintel/feeds/taxii2'],
  ])('resolves the trendmicro preset for region %s', (region, url) => {
    const c = loadConfig({ path: file(minimal.replace('region: us', `region: ${region}`)), env: {} });
    expect(c.sources[0].discoveryUrl).toBe(url);
    expect(c.sources[0].pageBounds).toEqual({ min: 1000, max: 10000 });
  });

  it('interpolates ${VAR} and ${VAR:-default}', () => {
    const c = loadConfig({
      path: file(minimal.replace('tok-123456', '${TREND_TOKEN}') + 'redis: { prefix: "${PFX:-fallback}" }\n'),
      env: { TREND_TOKEN: 'from-env-777' },
    });
    expect(c.sources[0].credentials).toEqual({ type: 'bearer', token: 'from-env-777' });
    expect(c.redis.prefix).toBe('fallback');
  });

  it('reads secrets from *_file and trims the final newline', () => {
    const secret = join(dir, 'token.txt');
    writeFileSync(secret, 'file-token-999\n');
    const c = loadConfig({ path: file(minimal.replace('token: tok-123456', `token_file: ${secret}`)), env: {} });
    expect(c.sources[0].credentials).toEqual({ type: 'bearer', token: 'file-token-999' });
  });

  it('lets OpenCTI-style env vars override the file', () => {
    const c = loadConfig({
      path: file(minimal),
      env: {
        OPENCTI_URL: 'http://opencti:8080',
        OPENCTI_TOKEN: 'octi-token-1',
        CONNECTOR_ID: '4a6f8c4e-0f0e-4f5e-9d3c-2b1a0e9f8d7c',
        CONNECTOR_NAME: 'Trend feed',
        CONNECTOR_LOG_LEVEL: 'DEBUG',
        CONNECTOR_DURATION_PERIOD: 'PT15M',
      },
    });
    expect(c.connector).toMatchObject({ id: '4a6f8c4e-0f0e-4f5e-9d3c-2b1a0e9f8d7c', name: 'Trend feed', log_level: 'debug', duration_period: 'PT15M' });
    expect(c.durationPeriodMs).toBe(15 * 60_000);
    expect(c.opencti).toMatchObject({ url: 'http://opencti:8080', token: 'octi-token-1', queue_threshold_mb: 500 });
    expect(c.sinks).toEqual([{ type: 'opencti', name: 'opencti' }]);
  });
});

describe('with no config file', () => {
  it('builds a single source from the TAXII_* env shortcut, with the file sink', () => {
    const c = loadConfig({ path: join(dir, 'absent.yml'), env: { TAXII_PRESET: 'trendmicro', TAXII_REGION: 'jp', TAXII_TOKEN: 'jp-token-1' } });
    expect(c.sources).toHaveLength(1);
    expect(c.sources[0]).toMatchObject({ name: 'trend', discoveryUrl: 'https://api.xdr.trendmicro.co.jp/v3.0/threatintel/feeds/taxii2', credentials: { type: 'bearer', token: 'jp-token-1' } });
    expect(c.sinks[0]).toMatchObject({ type: 'file' });
  });

  it('uses basic auth when TAXII_USERNAME is set (business id + token)', () => {
    const c = loadConfig({
      path: join(dir, 'absent.yml'),
      env: { TAXII_DISCOVERY_URL: 'https://taxii.example.org/taxii2/', TAXII_USERNAME: 'biz-1', TAXII_TOKEN: 'pw-token-1', TAXII_COLLECTIONS: 'a, b' },
    });
    expect(c.sources[0]).toMatchObject({ name: 'taxii', collections: ['a', 'b'], credentials: { type: 'basic', username: 'biz-1', password: 'pw-token-1' } });
  });

  it('says a source is needed when nothing is configured', () => {
    expect(problemsOf(() => loadConfig({ path: join(dir, 'absent.yml'), env: {} }))).toEqual([expect.stringMatching(/^sources: /)]);
  });

  it('refuses an explicit --config path that does not exist', () => {
    expect(problemsOf(() => loadConfig({ path: join(dir, 'absent.yml'), explicitPath: true, env: {} }))).toEqual([
      expect.stringContaining('config file not found'),
    ]);
  });
});

describe('rejections', () => {
  it('reports every bad path at once', () => {
    const problems = problemsOf(() =>
      loadConfig({
        path: file(`
connector: { log_level: loud, duration_period: hourly, colour: blue }
sources:
  - name: "bad name"
    preset: trendmicro
    region: mars
    page_size: -5
    auth: { type: bearer, token: tok-123456 }
`),
        env: {},
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^connector: unknown key "colour"/),
        expect.stringMatching(/^connector\.log_level: /),
        expect.stringMatching(/^connector\.duration_period: must be an ISO-8601 duration/),
        expect.stringMatching(/^sources\[0\]\.name: /),
        expect.stringMatching(/^sources\[0\]\.region: /),
        expect.stringMatching(/^sources\[0\]\.page_size: /),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it.each([
    ['a missing token names the source', minimal.replace('auth: { type: bearer, token: tok-123456 }', 'auth: { type: bearer }'), /sources\[0\]\.auth\.token: source "trend" needs a token/],
    ['token and token_file together', minimal.replace('token: tok-123456', 'token: tok-123456, token_file: /x'), /set either token or token_file/],
    ['an unreadable token_file', minimal.replace('token: tok-123456', 'token_file: /nonexistent/t'), /token_file: cannot read \/nonexistent\/t/],
    ['a preset without region', minimal.replace('    region: us\n', ''), /sources\[0\]\.region: is required with preset trendmicro/],
    ['preset and discovery_url together', minimal.replace('region: us', 'region: us\n    discovery_url: https://x.example/taxii2/'), /either preset or discovery_url/],
    ['a source with no endpoint', minimal.replace('    preset: trendmicro\n    region: us\n', ''), /needs preset \(with region\), discovery_url or api_root/],
    ['a missing env var', minimal.replace('tok-123456', '${NOPE_NOT_SET}'), /sources\[0\]\.auth\.token: environment variable NOPE_NOT_SET is not set/],
    ['an opencti sink without opencti settings or connector id', `${minimal}sink: { type: opencti }\n`, /opencti: is required by the opencti sink/],
    ['duplicate source names', `${minimal}  - name: trend\n    discovery_url: https://x.example/taxii2/\n`, /"trend" is used by another source/],
    ['sink and sinks together', `${minimal}sink: { type: file }\nsinks: [{ type: file }]\n`, /either sink \(one\) or sinks/],
    ['an unknown sink type', `${minimal}sink: { type: kafka }\n`, /^sink\.type: /],
    ['a bad added_after', minimal.replace('region: us', 'region: us\n    added_after: yesterday'), /added_after: must be an RFC 3339 timestamp/],
    ['YAML that does not parse', 'sources: [\n', /not valid YAML/],
    ['a top level that is not a mapping', '- a\n- b\n', /top level must be a mapping/],
  ])('refuses %s', (_name, yaml, expected) => {
    expect(problemsOf(() => loadConfig({ path: file(yaml), env: {} }))).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('refuses the env shortcut when the file defines several sources', () => {
    const yaml = `${minimal}  - name: other\n    discovery_url: https://x.example/taxii2/\n`;
    expect(problemsOf(() => loadConfig({ path: file(yaml), env: { TAXII_TOKEN: 'zzzzzz' } }))).toEqual([expect.stringMatching(/TAXII_TOKEN set a single source/)]);
  });

  it('never echoes a secret in a problem', () => {
    const problems = problemsOf(() => loadConfig({ path: file(minimal.replace('region: us', 'region: mars')), env: {} }));
    expect(problems.join('\n')).not.toContain('tok-123456');
  });
});
