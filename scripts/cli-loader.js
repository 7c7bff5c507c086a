#!/usr/bin/env node
'use strict';
// dist/cli.js: loads the bundled command line (cli.bundle.js) with the V8 code cache that
// `npm run build` made beside it, so that start-up does not compile the bundle again. Without a
// cache, or with one V8 refuses (another Node version), the bundle is compiled as usual.
const fs = require('node:fs');
const path = require('node:path');
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
const bundle = new Module(file, module);
bundle.filename = file;
bundle.paths = Module._nodeModulePaths(__dirname);
script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, __dirname);
