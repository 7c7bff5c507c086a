// Environment overrides in OpenCTI's naming, and the single-source TAXII_* shortcut, applied to the
// raw (parsed YAML) config before validation so that the schema checks the merged result.

type Raw = Record<string, unknown>;

const OVERRIDES: ReadonlyArray<readonly [string, readonly string[], ((v: string) => unknown)?]> = [
  ['OPENCTI_URL', ['opencti', 'url']],
  ['OPENCTI_TOKEN', ['opencti', 'token']],
  ['OPENCTI_TOKEN_FILE', ['opencti', 'token_file']],
  ['CONNECTOR_ID', ['connector', 'id']],
  ['CONNECTOR_NAME', ['connector', 'name']],
  ['CONNECTOR_LOG_LEVEL', ['connector', 'log_level'], (v) => v.toLowerCase()],
  ['CONNECTOR_LOG_FORMAT', ['connector', 'log_format'], (v) => v.toLowerCase()],
  ['CONNECTOR_DURATION_PERIOD', ['connector', 'duration_period']],
  ['REDIS_URL', ['redis', 'url']],
  ['REDIS_PREFIX', ['redis', 'prefix']],
  ['OPS_LISTEN', ['ops', 'listen']],
];

/** Env var of the shortcut → key of the source it sets. */
const SHORTCUT: ReadonlyArray<readonly [string, string]> = [
  ['TAXII_SOURCE_NAME', 'name'],
  ['TAXII_PRESET', 'preset'],
  ['TAXII_REGION', 'region'],
  ['TAXII_DISCOVERY_URL', 'discovery_url'],
  ['TAXII_API_ROOT', 'api_root'],
  ['TAXII_COLLECTIONS', 'collections'],
  ['TAXII_PAGE_SIZE', 'page_size'],
  ['TAXII_INITIAL_HISTORY', 'initial_history'],
  ['TAXII_ADDED_AFTER', 'added_after'],
];
const SHORTCUT_AUTH = ['TAXII_TOKEN', 'TAXII_TOKEN_FILE', 'TAXII_USERNAME', 'TAXII_PASSWORD', 'TAXII_PASSWORD_FILE'] as const;

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(target: Raw, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isRecord(node[key])) node[key] = {};
    node = node[key] as Raw;
  }
  node[path[path.length - 1]] = value;
}

function present(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Applies env overrides and the TAXII_* shortcut. Returns problems (path: message) for shortcut
 * misuse; the schema reports the rest.
 */
export function applyEnv(raw: Raw, env: NodeJS.ProcessEnv): string[] {
  for (const [name, path, convert] of OVERRIDES) {
    const v = present(env, name);
    if (v !== undefined) setPath(raw, path, convert ? convert(v) : v);
  }
  const used = [...SHORTCUT.map(([n]) => n), ...SHORTCUT_AUTH].filter((n) => present(env, n) !== undefined);
  if (used.length === 0) return [];
  const sources = Array.isArray(raw.sources) ? (raw.sources as unknown[]) : [];
  if (sources.length > 1) {
    return [`sources: ${used.join(', ')} set a single source, but the config file defines ${sources.length}; configure them in the file instead`];
  }
  const source: Raw = isRecord(sources[0]) ? sources[0] : {};
  for (const [name, key] of SHORTCUT) {
    const v = present(env, name);
    if (v === undefined) continue;
    if (key === 'collections') source[key] = v.split(',').map((s) => s.trim()).filter(Boolean);
    else if (key === 'page_size') source[key] = /^\d+$/.test(v) ? Number(v) : v;
    else if (key === 'preset' || key === 'region') source[key] = v.toLowerCase();
    else source[key] = v;
  }
  if (source.name === undefined) source.name = source.preset === 'trendmicro' ? 'trend' : 'taxii';
  const auth = authFromEnv(env, isRecord(source.auth) ? source.auth : undefined);
  if (auth) source.auth = auth;
  raw.sources = [source];
  return [];
}

function authFromEnv(env: NodeJS.ProcessEnv, current: Raw | undefined): Raw | undefined {
  const username = present(env, 'TAXII_USERNAME');
  const password = present(env, 'TAXII_PASSWORD');
  const passwordFile = present(env, 'TAXII_PASSWORD_FILE');
  const token = present(env, 'TAXII_TOKEN');
  const tokenFile = present(env, 'TAXII_TOKEN_FILE');
  if (username !== undefined) {
    // Trend's Basic mode: username = business id, password = the API token.
    return { type: 'basic', username, ...(password ?? token ? { password: password ?? token } : {}), ...(passwordFile ?? tokenFile ? { password_file: passwordFile ?? tokenFile } : {}) };
  }
  if (token !== undefined || tokenFile !== undefined) {
    return { type: 'bearer', ...(token ? { token } : {}), ...(tokenFile ? { token_file: tokenFile } : {}) };
  }
  return current;
}
