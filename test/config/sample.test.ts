// config.yml.sample documents every key of the schema, in the schema's order, and loads as is.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../../src/config/load';
import { ConfigSchema } from '../../src/config/schema';

const SAMPLE = resolve(__dirname, '../../config.yml.sample');
const text = readFileSync(SAMPLE, 'utf8');

/** Every key of the schema, as dotted paths (arrays and unions walked through). */
function keysOf(schema: z.ZodType, path = ''): string[] {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; shape?: Record<string, z.ZodType> } }).def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
      return keysOf(def.innerType as z.ZodType, path);
    case 'array':
      return keysOf(def.element as z.ZodType, path);
    case 'union':
      return (def.options ?? []).flatMap((o) => keysOf(o, path));
    case 'object':
      return Object.entries((schema as z.ZodObject).shape).flatMap(([k, v]) => [path ? `${path}.${k}` : k, ...keysOf(v as z.ZodType, path ? `${path}.${k}` : k)]);
    default:
      return [];
  }
}

describe('config.yml.sample', () => {
  const keys = [...new Set(keysOf(ConfigSchema))];

  it('finds the schema keys to check', () => {
    expect(keys).toEqual(expect.arrayContaining(['connector.duration_period', 'sources.auth.token_file', 'pipeline.max_pages_in_flight', 'ops.auth.password']));
  });

  it.each(keys.map((k) => [k]))('documents %s', (key) => {
    const name = key.split('.').at(-1) as string;
    expect(text).toMatch(new RegExp(`(^|[\\s{,])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`, 'm'));
  });

  it('lists the top-level sections in the order of the schema', () => {
    const order = Object.keys(ConfigSchema.shape);
    const positions = order.map((k) => text.search(new RegExp(`^#? ?${k}:`, 'm')));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('loads as it is, with its token from the environment', () => {
    const config = loadConfig({ path: SAMPLE, explicitPath: true, env: { TREND_TOKEN: 'sample-token-1' } });
    expect(config.sources[0]).toMatchObject({ name: 'trend', discoveryUrl: 'https://api.xdr.trendmicro.com/v3.0/threatintel/feeds/taxii2' });
    expect(config.sinks).toEqual([{ type: 'file', name: 'file', path: './data/bundles' }]);
  });
});
