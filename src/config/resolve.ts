// Cross-field checks and resolution of a schema-valid config into what the connector runs on:
// endpoints from presets, secrets read from *_file and registered for redaction, one list of sinks.
import { accessSync, constants, readFileSync } from 'node:fs';
import type { Credentials } from '../http/request';
import { registerSecret } from '../log';
import { resolvePreset, type PageBounds } from '../taxii/presets';
import { parseIsoDuration } from './duration';
import type { AuthConfig, OpenCtiConfig, ParsedConfig, SinkConfig, SourceConfig } from './schema';

export interface ResolvedSource extends Omit<SourceConfig, 'auth'> {
  /** Discovery URL (from the preset or the config); absent when only `api_root` is set. */
  discoveryUrl?: string;
  apiRootUrl?: string;
  credentials: Credentials;
  authType: Credentials['type'];
  /** The server's documented `limit` bounds, when known (presets). */
  pageBounds?: PageBounds;
  initialHistoryMs: number;
}

export type ResolvedSink = SinkConfig & { name: string; credentials?: Credentials };

export interface ResolvedOpenCti extends Omit<OpenCtiConfig, 'token' | 'token_file'> {
  token: string;
}

export interface Config extends Omit<ParsedConfig, 'sources' | 'sink' | 'sinks' | 'opencti' | 'ops'> {
  sources: ResolvedSource[];
  sinks: ResolvedSink[];
  opencti?: ResolvedOpenCti;
  ops: { host: string; port: number; auth?: { username: string; password: string } };
  durationPeriodMs: number;
}

/** A secret given inline or as a file; exactly one of them. Files are read and trimmed. */
function secretOf(inline: string | undefined, file: string | undefined, where: string, what: string, problems: string[]): string {
  if (inline !== undefined && file !== undefined) {
    problems.push(`${where}: set either ${what} or ${what}_file, not both`);
    return '';
  }
  if (file !== undefined) {
    try {
      const value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      if (value === '') problems.push(`${where}.${what}_file: ${file} is empty`);
      registerSecret(value);
      return value;
    } catch (err) {
      problems.push(`${where}.${what}_file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return '';
    }
  }
  if (inline === undefined) return '';
  registerSecret(inline);
  return inline;
}

/** A CA file must be readable now, not at the first TLS handshake. */
function checkCaFile(file: string | undefined, where: string, problems: string[]): void {
  if (file === undefined) return;
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    problems.push(`${where}.tls.ca_file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function credentialsOf(auth: AuthConfig, where: string, owner: string, envHint: string, problems: string[]): Credentials {
  if (auth.type === 'none') return { type: 'none' };
  if (auth.type === 'bearer') {
    const token = secretOf(auth.token, auth.token_file, `${where}.auth`, 'token', problems);
    if (!token && auth.token === undefined && auth.token_file === undefined) {
      problems.push(`${where}.auth.token: ${owner} needs a token for bearer auth (auth.token, auth.token_file${envHint ? ` or ${envHint}` : ''})`);
    }
    return { type: 'bearer', token };
  }
  const password = secretOf(auth.password, auth.password_file, `${where}.auth`, 'password', problems);
  if (!password && auth.password === undefined && auth.password_file === undefined) {
    problems.push(`${where}.auth.password: ${owner} needs a password for basic auth (auth.password, auth.password_file${envHint ? ` or ${envHint}` : ''})`);
  }
  return { type: 'basic', username: auth.username, password };
}

function resolveSource(s: SourceConfig, i: number, problems: string[]): ResolvedSource {
  const where = `sources[${i}]`;
  let discoveryUrl = s.discovery_url;
  let pageBounds: PageBounds | undefined;
  if (s.preset !== undefined) {
    if (s.discovery_url !== undefined) problems.push(`${where}: set either preset or discovery_url, not both`);
    if (s.region === undefined) problems.push(`${where}.region: is required with preset ${s.preset} (us | eu | sg | jp | au | in | ae)`);
    else ({ discoveryUrl, pageBounds } = resolvePreset(s.preset, s.region));
  } else if (s.region !== undefined) {
    problems.push(`${where}.region: only meaningful with a preset`);
  }
  if (discoveryUrl === undefined && s.api_root === undefined) {
    problems.push(`${where}: source "${s.name}" needs preset (with region), discovery_url or api_root`);
  }
  checkCaFile(s.tls.ca_file, where, problems);
  const envHint = i === 0 ? (s.auth.type === 'basic' ? 'TAXII_PASSWORD' : 'TAXII_TOKEN') : '';
  const credentials = credentialsOf(s.auth, where, `source "${s.name}"`, envHint, problems);
  const { auth: _auth, ...rest } = s;
  return {
    ...rest,
    discoveryUrl,
    apiRootUrl: s.api_root,
    credentials,
    authType: credentials.type,
    pageBounds,
    initialHistoryMs: parseIsoDuration(s.initial_history) ?? 0,
  };
}

function resolveSinks(c: ParsedConfig, problems: string[]): ResolvedSink[] {
  if (c.sink && c.sinks) problems.push('sink: set either sink (one) or sinks (a list), not both');
  const list: SinkConfig[] = c.sinks ?? (c.sink ? [c.sink] : c.opencti ? [{ type: 'opencti' }] : [{ type: 'file', path: './data/bundles' }]);
  const seen = new Set<string>();
  return list.map((sink, i) => {
    const name = sink.name ?? sink.type;
    const where = c.sinks ? `sinks[${i}]` : 'sink';
    if (seen.has(name)) problems.push(`${where}.name: "${name}" is used by another sink; give each sink a distinct name`);
    seen.add(name);
    if (sink.type === 'opencti') {
      if (!c.opencti) problems.push(`opencti: is required by the opencti sink (opencti.url and opencti.token, or OPENCTI_URL and OPENCTI_TOKEN)`);
      if (!c.connector.id) problems.push('connector.id: a UUID is required by the opencti sink (or CONNECTOR_ID)');
    }
    if (sink.type === 'http') checkCaFile(sink.tls.ca_file, where, problems);
    if (sink.type === 'http') return { ...sink, name, credentials: credentialsOf(sink.auth, where, `sink "${name}"`, '', problems) };
    return { ...sink, name };
  });
}

function resolveOps(c: ParsedConfig, problems: string[]): Config['ops'] {
  const at = c.ops.listen.lastIndexOf(':');
  const host = c.ops.listen.slice(0, at);
  const port = Number(c.ops.listen.slice(at + 1));
  if (port > 65535) problems.push('ops.listen: port must be at most 65535');
  if (!c.ops.auth) return { host, port };
  const password = secretOf(c.ops.auth.password, c.ops.auth.password_file, 'ops.auth', 'password', problems);
  if (!password && c.ops.auth.password === undefined && c.ops.auth.password_file === undefined) problems.push('ops.auth.password: is required with ops.auth');
  return { host, port, auth: { username: c.ops.auth.username, password } };
}

export function resolveConfig(c: ParsedConfig, _env: NodeJS.ProcessEnv, problems: string[]): Config {
  const names = new Set<string>();
  c.sources.forEach((s, i) => {
    if (names.has(s.name)) problems.push(`sources[${i}].name: "${s.name}" is used by another source`);
    names.add(s.name);
  });
  const sources = c.sources.map((s, i) => resolveSource(s, i, problems));
  const sinks = resolveSinks(c, problems);
  let opencti: ResolvedOpenCti | undefined;
  if (c.opencti) {
    checkCaFile(c.opencti.tls.ca_file, 'opencti', problems);
    const { token: inline, token_file, ...rest } = c.opencti;
    const token = secretOf(inline, token_file, 'opencti', 'token', problems);
    if (!token && inline === undefined && token_file === undefined) problems.push('opencti.token: is required (or opencti.token_file, or OPENCTI_TOKEN)');
    opencti = { ...rest, token };
  }
  const { sink: _s, sinks: _ss, opencti: _o, ops: _ops, sources: _src, ...rest } = c;
  return {
    ...rest,
    sources,
    sinks,
    opencti,
    ops: resolveOps(c, problems),
    durationPeriodMs: parseIsoDuration(c.connector.duration_period) ?? 3_600_000,
  };
}
