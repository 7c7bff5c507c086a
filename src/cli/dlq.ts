// `taxii-connector dlq list | show ID | replay [ID | --all] | purge`: the dead-letter queue.
import type { Command } from 'commander';
import type { DeadLetterItem } from '../pipeline/dead-letter';
import { replay } from '../pipeline/replay';
import { startSinks } from '../pipeline/runtime';
import { action, EXIT_FAILED, EXIT_OK, EXIT_USAGE, withRuntime } from './common';

function objectsOf(item: DeadLetterItem): number {
  const e = item.entry;
  if (e.kind === 'bundle') return ((e.bundle as { objects?: unknown[] })?.objects ?? []).length;
  return e.rejections?.length ?? 0;
}

function line(item: DeadLetterItem): string {
  const e = item.entry;
  return `${item.id}  ${e.kind.padEnd(8)} ${e.source}/${e.collection} run ${e.runId} page ${e.page}${e.sink ? ` sink ${e.sink}` : ''}  ${objectsOf(item)} object(s)  ${e.code}: ${e.message}`;
}

export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('look at, replay or purge dead-letter entries');
  dlq
    .command('list')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) =>
        withRuntime(cmd, async (rt) => {
          const items = await rt.deadLetters.list();
          if (opts.json) process.stdout.write(`${JSON.stringify(items.map((i) => ({ id: i.id, ...i.entry, bundle: undefined, objects: objectsOf(i) })), null, 2)}\n`);
          else process.stdout.write(items.length === 0 ? 'the dead-letter queue is empty\n' : `${items.map(line).join('\n')}\n`);
          return EXIT_OK;
        }),
      ),
    );
  dlq
    .command('show')
    .argument('<id>')
    .action(
      action(async (id: string, _o: unknown, cmd: Command) =>
        withRuntime(cmd, async (rt) => {
          const item = await rt.deadLetters.get(id);
          if (!item) {
            process.stderr.write(`no dead-letter entry ${id}\n`);
            return EXIT_USAGE;
          }
          process.stdout.write(`${JSON.stringify({ id: item.id, ...item.entry }, null, 2)}\n`);
          return EXIT_OK;
        }),
      ),
    );
  dlq
    .command('replay')
    .argument('[id]')
    .option('--all', 'replay every entry')
    .action(
      action(async (id: string | undefined, opts: { all?: boolean }, cmd: Command) => {
        if (!id && !opts.all) {
          process.stderr.write('give an entry id, or --all\n');
          return EXIT_USAGE;
        }
        return withRuntime(cmd, async (rt) => {
          await startSinks(rt);
          const items = opts.all ? await rt.deadLetters.list() : [await rt.deadLetters.get(id as string)].filter((i): i is DeadLetterItem => Boolean(i));
          if (items.length === 0) {
            process.stderr.write(opts.all ? 'the dead-letter queue is empty\n' : `no dead-letter entry ${id}\n`);
            return opts.all ? EXIT_OK : EXIT_USAGE;
          }
          let failed = 0;
          let delivered = 0;
          for (const item of items) {
            const r = await replay(rt, item);
            delivered += r.delivered;
            if (r.remaining > 0) failed++;
            process.stdout.write(`${r.id}: ${r.delivered} delivered${r.remaining ? `, ${r.remaining} still undelivered` : ''}${r.error ? ` (${r.error})` : ''}\n`);
          }
          process.stdout.write(`replayed ${items.length} entr${items.length === 1 ? 'y' : 'ies'}: ${delivered} objects delivered, ${failed} entr${failed === 1 ? 'y' : 'ies'} left\n`);
          return failed === 0 ? EXIT_OK : EXIT_FAILED;
        });
      }),
    );
  dlq
    .command('purge')
    .action(
      action(async (_o: unknown, cmd: Command) =>
        withRuntime(cmd, async (rt) => {
          const n = await rt.deadLetters.purge();
          process.stdout.write(`purged ${n} entr${n === 1 ? 'y' : 'ies'}\n`);
          return EXIT_OK;
        }),
      ),
    );
}
