#!/usr/bin/env node
'use strict';
// dist/cli.js: loads the bundled command line (cli.bundle.js) with the V8 code cache that
// `npm run build` made beside it, so that start-up does not compile the bundle again. Without a
// cache, or with one V8 refuses (another Node version), the bundle is compiled as usual.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const v8 = require('node:v8');

// Heap growth. Between two full collections V8 lets the old generation grow to several times what
// is live. A run promotes every page it parses and drops it a moment later, so peak memory followed
// the length of the run (on 100,000 objects in pages of 10,000: 288 MB, against 219 MB with this,
// for about 5% more CPU in the collector). A growth of 20% keeps the heap near what is live, with
// no cap: a large page still gets the memory it needs. Set before compiling, so that the code
// cache (made by a run of this same file) agrees with the flags. NODE_OPTIONS or a node flag wins.
if (!/--heap-growing-percent/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) {
  v8.setFlagsFromString('--heap-growing-percent=20');
}

const file = path.join(__dirname, 'cli.bundle.js');
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
if (process.env.TAXII_CONNECTOR_WRITE_CODE_CACHE === '1') {
  // At build time: the cache holds what a start-up compiled (written as the process exits).
  process.on('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
}
const bundle = new Module(file, module);
bundle.filename = file;
bundle.paths = Module._nodeModulePaths(__dirname);
script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, __dirname);
