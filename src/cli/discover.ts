// `taxii-connector discover`: what a TAXII 2.1 server offers — its API roots and their collections
// (id, title, can_read, can_write) — as a table or JSON, from a configured source or a bare URL.
import type { Command } from 'commander';
import type { Config, ResolvedSource } from '../config/resolve';
import { ConnectorError } from '../errors';
import type { Credentials } from '../http/request';
import { createLogger, registerSecret } from '../log';
import { TaxiiClient, taxiiClientOptions, type TaxiiClientOptions } from '../taxii';
import { action, loadFromCli } from './common';

export interface DiscoverOptions {
  source?: string;
  url?: string;
  apiRoot?: string;
  token?: string;
  username?: string;
  password?: string;
  json?: boolean;
  timeout?: string;
}

export interface DiscoveryReport {
  title?: string;
  apiRoots: Array<{
    url: string;
    title?: string;
    error?: string;
    collections: Array<{ id: string; title: string; can_read: boolean; can_write: boolean }>;
  }>;
}

function credentialsOf(o: DiscoverOptions): Credentials {
  if (o.username !== undefined) {
    if (o.password === undefined && o.token === undefined) throw new ConnectorError('--username needs --password (or --token)', { code: 'CONFIG_USAGE', retryable: false });
    return { type: 'basic', username: o.username, password: (o.password ?? o.token) as string };
  }
  if (o.token !== undefined) return { type: 'bearer', token: o.token };
  return { type: 'none' };
}

function clientOptions(o: DiscoverOptions, load: () => Config): TaxiiClientOptions {
  const log = createLogger({ level: 'warn' });
  if (o.url !== undefined || (o.apiRoot !== undefined && o.source === undefined)) {
    registerSecret(o.token);
    registerSecret(o.password);
    return { source: 'cli', discoveryUrl: o.url, apiRootUrl: o.apiRoot, credentials: credentialsOf(o), timeoutMs: Number(o.timeout ?? 30) * 1000, logger: log };
  }
  const config = load();
  let source: ResolvedSource | undefined;
  if (o.source !== undefined) {
    source = config.sources.find((s) => s.name === o.source);
    if (!source) throw new ConnectorError(`no source named "${o.source}" (configured: ${config.sources.map((s) => s.name).join(', ')})`, { code: 'CONFIG_USAGE', retryable: false });
  } else if (config.sources.length === 1) {
    source = config.sources[0];
  } else {
    throw new ConnectorError(`several sources are configured: choose one with --source (${config.sources.map((s) => s.name).join(', ')})`, { code: 'CONFIG_USAGE', retryable: false });
  }
  return { ...taxiiClientOptions(source, log), ...(o.apiRoot ? { apiRootUrl: o.apiRoot } : {}) };
}

/** Asks the server for its API roots and each root's collections. */
export async function discover(options: TaxiiClientOptions): Promise<DiscoveryReport> {
  const client = new TaxiiClient(options);
  try {
    let title: string | undefined;
    let roots: string[];
    if (options.discoveryUrl !== undefined && options.apiRootUrl === undefined) {
      const info = await client.discover();
      title = info.title;
      roots = info.apiRoots.length > 0 ? info.apiRoots : info.defaultApiRoot ? [info.defaultApiRoot] : [];
    } else {
      roots = [(await client.apiRoot()).url];
    }
    const report: DiscoveryReport = { title, apiRoots: [] };
    for (const url of roots) {
      const root = await client.apiRoot(url);
      try {
        const info = await root.info();
        const collections = await root.collections();
        report.apiRoots.push({
          url: root.url,
          title: info.title,
          collections: collections.map((c) => ({ id: c.id, title: c.title ?? c.id, can_read: c.can_read, can_write: c.can_write })),
        });
      } catch (err) {
        if (roots.length === 1) throw err;
        report.apiRoots.push({ url: root.url, error: err instanceof Error ? err.message : String(err), collections: [] });
      }
    }
    return report;
  } finally {
    client.close();
  }
}

/** The report as a plain-text table. */
export function formatDiscovery(r: DiscoveryReport): string {
  const lines: string[] = [];
  if (r.title) lines.push(`Server: ${r.title}`);
  for (const root of r.apiRoots) {
    lines.push('', `API root: ${root.title ? `${root.title} ` : ''}<${root.url}>`);
    if (root.error) {
      lines.push(`  error: ${root.error}`);
      continue;
    }
    if (root.collections.length === 0) {
      lines.push('  (no collections)');
      continue;
    }
    const rows = [['ID', 'TITLE', 'CAN_READ', 'CAN_WRITE'], ...root.collections.map((c) => [c.id, c.title, String(c.can_read), String(c.can_write)])];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    for (const row of rows) lines.push(`  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()}`);
  }
  return `${lines.join('\n').replace(/^\n/, '')}\n`;
}

export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description("list a TAXII server's API roots and collections")
    .option('--source <name>', 'a source from the configuration')
    .option('--url <url>', 'a discovery URL (no configuration needed)')
    .option('--api-root <url>', 'an API root URL, instead of discovery')
    .option('--token <token>', 'bearer token (with --url)')
    .option('--username <user>', 'basic auth user (with --url)')
    .option('--password <password>', 'basic auth password (with --url)')
    .option('--timeout <secs>', 'request timeout in seconds (with --url)', '30')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: DiscoverOptions, cmd: Command) => {
        const report = await discover(clientOptions(opts, () => loadFromCli(cmd)));
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatDiscovery(report));
        return 0;
      }),
    );
}
