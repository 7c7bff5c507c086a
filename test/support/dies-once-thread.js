// A normalizer thread that dies on its first page, once per process (a marker file in the temp
// folder, named after the process, remembers it); later threads run the real code. For the
// lost-thread tests.
const { existsSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { parentPort } = require('node:worker_threads');

const marker = join(tmpdir(), `normalizer-dies-once-${process.pid}`);
if (!existsSync(marker)) {
  writeFileSync(marker, 'died\n');
  parentPort.once('message', () => process.exit(3));
} else {
  require('tsx/cjs');
  require(resolve(__dirname, '../../src/pipeline/normalize-thread.ts'));
}
