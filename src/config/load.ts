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

const VAR = /\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const PLACEHOLDER = /__TAXII_ENV_(\d+)__/g;

interface Reference {
  name: string;
  fallback?: string;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(root)';
}

/**
 * ${VAR} and ${VAR:-default} may stand anywhere, flow mappings included, so they are swapped for
 * plain placeholders before the YAML is parsed and filled in afterwards: a value can never change
 * the document's structure. `$${` is a literal `${`.
 */
function protect(text: string): { text: string; refs: Reference[] } {
  const refs: Reference[] = [];
  const out = text.replace(VAR, (match, name: string, fallback: string | undefined) => {
    if (match.startsWith('$$')) return match.slice(1);
    refs.push({ name, fallback });
    return `__TAXII_ENV_${refs.length - 1}__`;
  });
  return { text: out, refs };
}

function fill(value: unknown, refs: Reference[], env: NodeJS.ProcessEnv, path: PropertyKey[], problems: string[]): unknown {
  if (typeof value === 'string') {
    const whole = /^__TAXII_ENV_(\d+)__$/.exec(value);
    const filled = value.replace(PLACEHOLDER, (_m, i: string) => {
      const ref = refs[Number(i)];
      const v = env[ref.name];
      if (v !== undefined && v !== '') return v;
      if (ref.fallback !== undefined) return ref.fallback;
      problems.push(`${formatPath(path)}: environment variable ${ref.name} is not set`);
      return '';
    });
    // A value that is only a variable takes the YAML type of its text (numbers, booleans).
    if (whole && /^(-?\d+(\.\d+)?|true|false)$/.test(filled)) return parseYaml(filled) as unknown;
    return filled;
  }
  if (Array.isArray(value)) return value.map((v, i) => fill(v, refs, env, [...path, i], problems));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // `key:` with nothing under it (all commented out) means "not set": its defaults apply.
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = fill(v, refs, env, [...path, k], problems);
    return out;
  }
  return value;
}

function readRaw(options: LoadOptions, env: NodeJS.ProcessEnv, problems: string[]): Record<string, unknown> {
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
  const protectedText = protect(text);
  try {
    doc = parseYaml(protectedText.text);
  } catch (err) {
    throw new ConfigError([`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError([`${path}: the top level must be a mapping of keys`]);
  return fill(doc, protectedText.refs, env, [], problems) as Record<string, unknown>;
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
  const raw = readRaw(options, env, problems);
  problems.push(...applyEnv(raw, env));
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError([...problems, ...schemaProblems(parsed.error)]);
  }
  const config = resolveConfig(parsed.data as ParsedConfig, env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
