// Runs bench/floor.ts in a child process against a TAXII test server's collection, timed as the
// connector is (spawn to exit, spawn to the first page request the server received), with the peak
// RSS of that process (what holding one parsed page costs, for comparison). The script is
// transpiled once to plain JavaScript, so that the child is bare `node` (no TypeScript loader in
// its memory or its start-up).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import type { TaxiiTestServer } from '../../test/support/taxii-server';
import type { FloorResult } from '../floor';
import { sampleProcess } from './proc';
import { medianInterval } from './stats';

const FLOOR = resolve(__dirname, '../floor.ts');

export interface FloorRun extends FloorResult {
  /** Spawn to exit, in seconds: process start included, as for `sync --once`. */
  seconds: number;
  /** Spawn to the first objects request the TAXII server received, in seconds. */
  firstPageSeconds: number;
  peakRssBytes: number;
  cpuSeconds: number;
  /** Median time between successive page requests the TAXII server received, in ms. */
  pageIntervalMs: number;
}

let compiled: string | undefined;

function floorScript(): string {
  if (compiled === undefined) {
    const js = ts.transpileModule(readFileSync(FLOOR, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
    const dir = mkdtempSync(join(tmpdir(), 'taxii-bench-floor-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    compiled = join(dir, 'floor.js');
    writeFileSync(compiled, js.outputText);
  }
  return compiled;
}

export function runFloor(taxii: TaxiiTestServer, pageSize: number, addedAfter = '2000-01-01T00:00:00Z'): Promise<FloorRun> {
  const args = [floorScript(), `${taxii.collectionUrl()}objects/`, String(pageSize), addedAfter];
  taxii.requests.length = 0;
  return new Promise((done, fail) => {
    const spawnedAt = Date.now();
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const usage = child.pid === undefined ? undefined : sampleProcess(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const used = usage?.stop() ?? { peakRssBytes: 0, cpuSeconds: 0 };
      if (code !== 0) return fail(new Error(`the floor exited ${code}: ${stderr}`));
      const requests = taxii.requestsTo('objects');
      const pageIntervalMs = medianInterval(requests.map((r) => r.time));
      const firstPageSeconds = requests[0] ? (requests[0].time - spawnedAt) / 1000 : NaN;
      done({ ...(JSON.parse(stdout) as FloorResult), seconds, firstPageSeconds, ...used, pageIntervalMs });
    });
  });
}
