// The deployment files read against the code (no Docker engine needed): docker-compose.yml only sets
// variables the connector reads and runs roles the CLI has, Prometheus scrapes the ops port, every
// ${VAR} is in .env.sample, the dashboards and alerts use real metric names, and the Dockerfile
// builds dist/cli.js, checks /healthz and runs as an unprivileged user.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli';
import { applyEnv } from '../../src/config/env';
import { PipelineMetrics } from '../../src/ops/metrics';

const ROOT = join(__dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string> | string[];
  profiles?: string[];
  ports?: string[];
  volumes?: Array<string | { source: string }>;
  depends_on?: Record<string, { condition?: string; required?: boolean }>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const envSample = new Map(
  read('.env.sample')
    .split('\n')
    .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
);
const dockerfile = read('Dockerfile');
const CONNECTOR_SERVICES = ['connector', 'scheduler', 'worker'];

function envOf(s: Service): Record<string, string> {
  if (!s.environment) return {};
  if (!Array.isArray(s.environment)) return s.environment;
  return Object.fromEntries(s.environment.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

/** `${VAR}`, `${VAR:-default}` → the value compose would use with .env.sample as .env. */
function interpolate(text: string): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => envSample.get(name) || fallback || '');
}

const portOf = (listen: string): number => Number(listen.slice(listen.lastIndexOf(':') + 1));

describe('when docker-compose.yml is read against the code', () => {
  it('defines redis, the connector, and the scale, opencti and monitoring profiles', () => {
    expect(services.redis?.profiles).toBeUndefined();
    expect(services.connector?.profiles).toBeUndefined();
    const byProfile = (p: string) => Object.entries(services).filter(([, s]) => s.profiles?.includes(p)).map(([n]) => n).sort();
    expect(byProfile('scale')).toEqual(['scheduler', 'worker']);
    expect(byProfile('opencti')).toEqual(['elasticsearch', 'minio', 'opencti', 'opencti-redis', 'opencti-worker', 'rabbitmq']);
    expect(byProfile('monitoring')).toEqual(['grafana', 'prometheus']);
    expect(services.opencti.image).toMatch(/^opencti\/platform:/);
    expect(services['opencti-worker'].image).toMatch(/^opencti\/worker:/);
  });

  it('keeps Redis append-only on a volume, and starts the connector once Redis is healthy', () => {
    expect(services.redis.command?.join(' ')).toContain('--appendonly yes');
    expect(services.redis.volumes).toContain('redisdata:/data');
    for (const name of CONNECTOR_SERVICES) {
      expect(services[name].depends_on?.redis).toEqual({ condition: 'service_healthy' });
      expect(envOf(services[name]).REDIS_URL).toBe('redis://redis:6379');
      expect(services[name].volumes).toContain('./config.yml:/app/config.yml:ro');
    }
  });

  it.each(CONNECTOR_SERVICES)('%s sets only variables the connector reads', (name) => {
    const sampleConfig = read('config.yml.sample');
    const referenced = new Set([...sampleConfig.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    for (const [variable, value] of Object.entries(envOf(services[name]))) {
      const raw: Record<string, unknown> = {};
      applyEnv(raw, { [variable]: interpolate(value) || 'x' });
      const readByLoader = Object.keys(raw).length > 0;
      expect({ variable, read: readByLoader || referenced.has(variable) }).toEqual({ variable, read: true });
    }
  });

  it.each(CONNECTOR_SERVICES)('%s runs node dist/cli.js with a role and options the CLI has', (name) => {
    const [node, script, role, ...options] = (services[name].command ?? []).map(interpolate);
    expect([node, script]).toEqual(['node', 'dist/cli.js']);
    const command = buildProgram().commands.find((c) => c.name() === role);
    expect(command).toBeDefined();
    for (const option of options) expect(command?.options.map((o) => o.long)).toContain(option);
  });

  it('lets the connector role be ops when the scale profile takes the other roles', () => {
    expect(services.connector.command?.[2]).toBe('${CONNECTOR_ROLE:-run}');
    const roles = buildProgram().commands.map((c) => c.name());
    expect(roles).toEqual(expect.arrayContaining(['run', 'ops', 'worker', 'scheduler']));
  });

  it('wires the connector to the opencti profile platform', () => {
    expect(envSample.get('OPENCTI_URL')).toBe('http://opencti:8080');
    const env = envOf(services.connector);
    for (const v of ['OPENCTI_URL', 'OPENCTI_TOKEN', 'CONNECTOR_ID']) expect(env[v]).toBe(`\${${v}:-}`);
    expect(services.connector.depends_on?.opencti).toEqual({ condition: 'service_healthy', required: false });
    expect(envOf(services['opencti-worker']).OPENCTI_URL).toBe('http://opencti:8080');
  });

  it('serves the ops port the image exposes, and Prometheus scrapes that port', () => {
    const listen = envOf(services.connector).OPS_LISTEN;
    const port = portOf(listen);
    expect(listen.startsWith('0.0.0.0:')).toBe(true);
    expect(dockerfile).toContain(`OPS_LISTEN=0.0.0.0:${port}`);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
    expect(services.connector.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    const prometheus = parse(read('deploy/prometheus.yml')) as {
      scrape_configs: Array<{ job_name: string; metrics_path: string; static_configs?: Array<{ targets: string[] }>; dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
    };
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'taxii-connector');
    expect(job?.metrics_path).toBe('/metrics');
    expect(job?.static_configs?.[0].targets).toEqual([`connector:${port}`]);
    const workers = prometheus.scrape_configs.find((j) => j.job_name === 'taxii-connector-workers');
    expect(workers?.dns_sd_configs?.[0]).toMatchObject({ names: ['worker'], port });
  });

  it('has every ${VAR} it uses in .env.sample, and nothing more', () => {
    // Values only (the parsed document): comments may mention ${VAR} in prose.
    const text = JSON.stringify(parse(read('docker-compose.yml')));
    const used = new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    const sampleRefs = new Set([...read('.env.sample').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    for (const v of used) expect({ v, inSample: envSample.has(v) }).toEqual({ v, inSample: true });
    for (const v of envSample.keys()) expect({ v, used: used.has(v) || sampleRefs.has(v) }).toEqual({ v, used: true });
  });

  it('mounts files that exist and declares the named volumes it uses', () => {
    for (const s of Object.values(services)) {
      for (const v of s.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : v.source;
        if (source.startsWith('./deploy/')) expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
        else if (!source.startsWith('.')) expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
  });
});

describe('when the Grafana dashboard and the Prometheus rules are read against the metrics', () => {
  const names = new Set(new PipelineMetrics().registry.getMetricsAsArray().map((m) => m.name));
  const usedIn = (text: string) => [...text.matchAll(/taxii_connector_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));

  it.each(['deploy/grafana/dashboards/taxii-connector.json', 'deploy/prometheus-rules.yml'])('%s uses only metrics the connector exports', (path) => {
    const used = usedIn(read(path));
    expect(used.length).toBeGreaterThan(3);
    for (const name of used) expect({ name, exported: names.has(name) }).toEqual({ name, exported: true });
  });

  it('shows throughput, lag, failures and queue depth from the provisioned datasource', () => {
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/taxii-connector.json')) as { panels: Array<{ type: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr).join('\n');
    for (const metric of ['objects_fetched_total', 'objects_delivered_total', 'cursor_lag_seconds', 'delivery_failures_total', 'queue_jobs', 'dead_letter_entries']) {
      expect(exprs).toContain(`taxii_connector_${metric}`);
    }
    const datasource = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: Array<{ uid: string; url: string }> };
    expect(datasource.datasources[0].url).toBe('http://prometheus:9090');
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) expect(p.datasource?.uid).toBe(datasource.datasources[0].uid);
  });
});

describe('when the Dockerfile is read against package.json', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages.at(-1) ?? '';

  it('builds dist/ with npm install and npm run build on node:20-slim, then installs production dependencies only', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^node:20-slim AS build/);
    expect(stages[0]).toMatch(/^RUN npm install\b/m);
    expect(stages[0]).toMatch(/^RUN npm run build$/m);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.build\.json\b/);
    // The build runs scripts/finish-build.js (the loader and its code cache): the build stage has it.
    expect(pkg.scripts.build).toMatch(/&& node scripts\/finish-build\.js$/);
    expect(stages[0]).toMatch(/^COPY scripts \.\/scripts$/m);
    expect((JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { outDir: string; rootDir: string } }).compilerOptions).toMatchObject({ outDir: 'dist', rootDir: 'src' });
    expect(Object.values(pkg.bin)).toContain('dist/cli.js');
    expect(final).toMatch(/^node:20-slim/);
    expect(final).toMatch(/^RUN npm install --omit=dev\b/m);
    expect(final).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
  });

  it('runs dist/cli.js run as a non-root user, with a HEALTHCHECK on /healthz', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(final);
    expect(JSON.parse(cmd?.[1] ?? '[]')).toEqual(['node', 'dist/cli.js', 'run']);
    const user = /^USER (\S+)$/m.exec(final)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(final.indexOf(`USER ${user}`)).toBeLessThan(final.indexOf('CMD ['));
    const healthcheck = /^HEALTHCHECK [^\n]*\\\n\s+CMD (\[.*\])$/m.exec(final);
    const probe = JSON.parse(healthcheck?.[1] ?? '[]') as string[];
    expect(probe.slice(0, 2)).toEqual(['node', '-e']);
    expect(probe[2]).toContain('/healthz');
    expect(probe[2]).toContain('process.env.OPS_LISTEN');
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['.env', 'config.yml', 'node_modules', 'dist', '.git']) expect(ignored).toContain(entry);
    for (const needed of ['src', 'package-lock.json', 'config.yml.sample']) expect(ignored).not.toContain(needed);
  });
});
