#!/usr/bin/env node
'use strict';
// dist/cli.js: loads the bundled command line (cli.bundle.js) with the V8 code cache that
// `npm run build` made beside it, so that start-up does not compile the bundle again. Without a
// cache, or with one V8 refuses (another Node version), the bundle is compiled as usual.
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const Module = require('node:module');

const file = path.join(__dirname, 'cli.bundle.js');
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
// The bundle is ASCII (esbuild --charset=ascii, checked by the build): read as latin1, the same
// text without a UTF-8 decoding pass over 3 MB (5 to 25 ms of a start, measured with --help).
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'latin1')), { filename: file, cachedData });
if (process.env.TAXII_CONNECTOR_WRITE_CODE_CACHE === '1') {
  // At build time: the cache holds what a start-up compiled (written as the process exits).
  process.on('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
}
// Loading the bundle makes objects that live as long as the process (the modules), and V8 reads
// their surviving scavenges as a reason to grow the young generation, to 16 MB semi-spaces it
// never gives back. The main thread needs none of it afterwards: it makes little garbage, most of
// it short-lived. A large young generation costs RSS, and with the 20% heap growth of large pages
// (src/pipeline/heap.ts) it also keeps V8 marking the old generation without end, since V8 starts
// marking once the room left is less than the young generation: 11 full collections in a run of
// 100,000 objects, each freeing less than 1 MB. So the young generation keeps its first size while
// the bundle loads, and V8's own growth (factor 2) applies from the first turn of the event loop.
// Measured with sync --once into files, 100,000 objects: pages of 10,000 2.16 -> 1.98 s CPU,
// 2.26x -> 2.14x the floor, peak RSS 156 -> 152 MB; pages of 1,000 2.10 -> 2.02 s CPU, peak RSS
// 176 -> 150 MB. The price is start-up: --help 177 -> 209 ms, sync --once of 10,000 objects 30 to 50
// ms longer (14 to 17 MB less RSS). Set after the script is compiled (V8 checks its flags against
// the code cache's); a semi-space flag given to node is left alone.
const holdYoung = process.env.TAXII_CONNECTOR_WRITE_CODE_CACHE !== '1' && !/--(max-|min-)?semi-space/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
if (holdYoung) v8.setFlagsFromString('--semi-space-growth-factor=1');
// axios probes the fetch API as it loads (FormData, Request, Response, fetch), and the first touch
// of any of them makes Node load undici: 11 built-in modules, 15 to 25 ms of every start (--help,
// 40 starts each). The connector sends with axios's http adapter only, so while the bundle loads
// those globals read as undefined (axios then takes the fetch adapter as unsupported); they are
// put back as they were once it has loaded, before any of its asynchronous work runs.
const FETCH_GLOBALS = ['fetch', 'Request', 'Response', 'FormData', 'Headers'];
const fetchGlobals = FETCH_GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]);
for (const name of FETCH_GLOBALS) Object.defineProperty(globalThis, name, { value: undefined, configurable: true, writable: true });
const bundle = new Module(file, module);
bundle.filename = file;
bundle.paths = Module._nodeModulePaths(__dirname);
function restoreFetchGlobals() {
  process.removeListener('exit', restoreFetchGlobals);
  for (const [name, descriptor] of fetchGlobals) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete globalThis[name];
  }
}
// A command that exits while the bundle loads (--help) must not leave them out to exit listeners.
process.prependListener('exit', restoreFetchGlobals);
try {
  script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, __dirname);
} finally {
  restoreFetchGlobals();
}
if (holdYoung) setImmediate(() => v8.setFlagsFromString('--semi-space-growth-factor=2'));
