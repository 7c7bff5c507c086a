// Last step of `npm run build`: dist/cli.js becomes the loader of the bundled command line
// (dist/cli.bundle.js), and the loader makes V8's code cache of it by starting it once (--help).
const { chmodSync, copyFileSync, readFileSync, rmSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
// The loader reads the bundle as latin1, which is its text only while every byte is ASCII.
const bundle = readFileSync(join(dist, 'cli.bundle.js'));
const at = bundle.findIndex((b) => b > 0x7f);
if (at >= 0) throw new Error(`dist/cli.bundle.js has a non-ASCII byte at offset ${at}: build it with esbuild --charset=ascii`);
rmSync(join(dist, 'cli.bundle.js.cache'), { force: true });
copyFileSync(join(__dirname, 'cli-loader.js'), join(dist, 'cli.js'));
chmodSync(join(dist, 'cli.js'), 0o755);
execFileSync(process.execPath, [join(dist, 'cli.js'), '--help'], { env: { ...process.env, TAXII_CONNECTOR_WRITE_CODE_CACHE: '1' }, stdio: 'ignore' });
