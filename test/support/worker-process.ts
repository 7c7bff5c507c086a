// A worker process for multi-process tests: builds the pipeline from the raw config in
// TEST_CONFIG (JSON), runs fetch and deliver workers, prints one JSON line per finished job, and
// shuts down on SIGTERM. Started with `node --import tsx test/support/worker-process.ts`.
import { silentLogger } from '../../src/log';
import { createRuntime, startSinks } from '../../src/pipeline/runtime';
import { startWorkers } from '../../src/pipeline/workers';
import { buildConfig } from './pipeline-harness';

async function main(): Promise<void> {
  const config = buildConfig(JSON.parse(process.env.TEST_CONFIG ?? '{}'));
  const runtime = await createRuntime(config, { logger: silentLogger });
  await startSinks(runtime);
  const set = startWorkers(runtime);
  for (const w of set.workers) {
    w.on('completed', (job) => process.stdout.write(`${JSON.stringify({ event: 'completed', queue: w.name, id: job.id, pid: process.pid })}\n`));
  }
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid })}\n`);
  process.on('SIGTERM', () => {
    void set.close(2000).then(() => runtime.close()).then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`worker-process: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
