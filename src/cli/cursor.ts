// `taxii-connector cursor show | set SOURCE COLLECTION TIMESTAMP | reset SOURCE COLLECTION`.
import type { Command } from 'commander';
import { canonicalTimestamp } from '../taxii';
import { action, EXIT_OK, EXIT_USAGE, withRuntime } from './common';

export function registerCursor(program: Command): void {
  const cursor = program.command('cursor').description('show or change where each collection resumes');
  cursor
    .command('show')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) =>
        withRuntime(cmd, async (rt) => {
          const all = await rt.store.listCursors();
          if (opts.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
          else if (all.length === 0) process.stdout.write('no cursor yet: the first run starts from initial_history or added_after\n');
          else for (const c of all) process.stdout.write(`${c.source}/${c.collection}  ${c.cursor.value}${c.cursor.exact ? '' : ' (mid-run: resumes with overlap)'}  updated ${c.cursor.updatedAt ?? '?'}\n`);
          return EXIT_OK;
        }),
      ),
    );
  cursor
    .command('set')
    .argument('<source>')
    .argument('<collection>')
    .argument('<timestamp>', 'RFC 3339; the next run fetches objects added after it')
    .action(
      action(async (source: string, collection: string, ts: string, _o: unknown, cmd: Command) => {
        if (!canonicalTimestamp(ts)) {
          process.stderr.write(`not an RFC 3339 timestamp: ${ts}\n`);
          return EXIT_USAGE;
        }
        return withRuntime(cmd, async (rt) => {
          if (!rt.sources.has(source)) {
            process.stderr.write(`no source named "${source}"\n`);
            return EXIT_USAGE;
          }
          await rt.store.setCursor(source, collection, ts);
          process.stdout.write(`${source}/${collection} resumes after ${ts}\n`);
          return EXIT_OK;
        });
      }),
    );
  cursor
    .command('reset')
    .argument('<source>')
    .argument('<collection>')
    .action(
      action(async (source: string, collection: string, _o: unknown, cmd: Command) =>
        withRuntime(cmd, async (rt) => {
          const had = await rt.store.resetCursor(source, collection);
          process.stdout.write(had ? `${source}/${collection}: cursor removed; the next run starts from initial_history or added_after\n` : `${source}/${collection} had no cursor\n`);
          return EXIT_OK;
        }),
      ),
    );
}
