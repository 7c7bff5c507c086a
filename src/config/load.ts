// Loads the configuration: YAML file → ${VAR} interpolation → env overrides → schema → cross-field
// checks → secrets read from *_file → a resolved Config. Every problem is collected and reported
// at once in a ConfigError; nothing half-valid gets through.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { applyEnv } from './env';
import { ConfigSchema, type ParsedConfig } from './schema';
import { resolveConfig, type Config } from './resolve';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Config file path; when not given explicitly a missing `config.yml` is fine (env only). */
  path?: string;
  explicitPath?: boolean;
  env?: NodeJS.ProcessEnv;
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(root)';
}

/** Replaces ${VAR} and ${VAR:-default} in every string of the tree; `$${` escapes. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[], problems: string[]): unknown {
  if (typeof value === 'string') {
    const replaced = value.replace(VAR, (match, name: string, fallback: string | undefined, offset: number) => {
      if (offset > 0 && value[offset - 1] === '$') return match;
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${formatPath(path)}: environment variable ${name} is not set`);
      return '';
    });
    return replaced.replace(/\$\$\{/g, '${');
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], problems));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, [...path, k], problems);
    return out;
  }
  return value;
}

function readRaw(options: LoadOptions): Record<string, unknown> {
  const path = options.path ?? 'config.yml';
  if (!existsSync(path)) {
    if (options.explicitPath) throw new ConfigError([`${path}: config file not found`]);
    return {};
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError([`${path}: the top level must be a mapping of keys`]);
  return doc as Record<string, unknown>;
}

function schemaProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${where}: is required`;
    return `${where}: ${issue.message}`;
  });
}

/** Reads, validates and resolves the configuration, or throws a ConfigError listing every problem. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const raw = interpolate(readRaw(options), env, [], problems) as Record<string, unknown>;
  problems.push(...applyEnv(raw, env));
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError([...problems, ...schemaProblems(parsed.error)]);
  }
  const config = resolveConfig(parsed.data as ParsedConfig, env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
