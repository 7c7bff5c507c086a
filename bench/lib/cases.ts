// The measured cases: for one collection and page size, the floor, `sync --once` into files and
// into OpenCTI, interleaved run by run so that noise from other work on the machine falls on all
// three alike; and the pipelining case against a server that takes 200 ms per page.
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../../test/support/taxii-server';
import { runConnector, type ConnectorCase, type ConnectorRun, type SinkKind } from './connector';
import { runFloor, type FloorRun } from './floor-run';
import { secs } from './stats';

export interface BenchSettings {
  repeats: number;
  redisUrl: string;
  command: string[];
  nodeFlags?: string[];
  pipeline?: Record<string, number>;
  log: (line: string) => void;
}

export interface CaseResult {
  objects: number;
  pageSize: number;
  floor: FloorRun[];
  runs: Record<SinkKind, ConnectorRun[]>;
}

export interface PipeliningResult {
  objects: number;
  pageSize: number;
  pages: number;
  pageDelayMs: number;
  /** How long the OpenCTI test server holds each bundle push in the `delivered` runs, in ms. */
  pushDelayMs: number;
  /** The floor against the slow server. */
  floor: FloorRun[];
  /** The floor against the same objects without the delay. */
  floorFast: FloorRun[];
  /** `sync --once` into files against the slow server. */
  slow: ConnectorRun[];
  /** The same run against the same objects without the delay. */
  fast: ConnectorRun[];
  /** `sync --once` into OpenCTI against the slow server, the platform taking `pushDelayMs` over each bundle. */
  delivered: ConnectorRun[];
}

function connectorCase(s: BenchSettings, taxii: TaxiiTestServer, sink: SinkKind, pageSize: number): ConnectorCase {
  return { taxii, sink, pageSize, redisUrl: s.redisUrl, command: s.command, nodeFlags: s.nodeFlags, pipeline: s.pipeline };
}

function check(run: ConnectorRun, objects: number, what: string): ConnectorRun {
  if (run.fetched !== objects || run.delivered + run.rejected !== objects) {
    throw new Error(`${what}: fetched ${run.fetched}, delivered ${run.delivered}, rejected ${run.rejected} of ${objects} objects`);
  }
  return run;
}

/** Starts a TAXII server holding `objects` synthetic objects; `fn` runs against it, then it closes. */
export async function withTaxiiServer<T>(objects: number, pageDelayMs: number, fn: (taxii: TaxiiTestServer) => Promise<T>): Promise<T> {
  const taxii = await startTaxiiServer({ objects: generateObjects(objects), pageDelayMs });
  try {
    return await fn(taxii);
  } finally {
    await taxii.close();
  }
}

/** The floor and `sync --once` into each of `sinks`, `s.repeats` times, taking turns. */
export async function measureCase(s: BenchSettings, taxii: TaxiiTestServer, objects: number, pageSize: number, sinks: readonly SinkKind[] = ['file', 'opencti']): Promise<CaseResult> {
  const result: CaseResult = { objects, pageSize, floor: [], runs: { file: [], opencti: [] } };
  await runFloor(taxii, pageSize); // warm-up of the server; not counted
  for (let i = 1; i <= s.repeats; i++) {
    const floor = await runFloor(taxii, pageSize);
    if (floor.objects !== objects) throw new Error(`floor read ${floor.objects} of ${objects} objects`);
    result.floor.push(floor);
    const label = `N=${objects} page=${pageSize} run ${i}/${s.repeats}`;
    const times = [`floor ${secs(floor.seconds)} s`];
    for (const sink of sinks) {
      const run = check(await runConnector(connectorCase(s, taxii, sink, pageSize)), objects, `${label} ${sink}`);
      result.runs[sink].push(run);
      times.push(`${sink} ${secs(run.seconds)} s`);
    }
    s.log(`${label}: ${times.join(', ')}`);
  }
  return result;
}

export async function measurePipelining(s: BenchSettings, pages = 20, pageSize = 1000, pageDelayMs = 200, pushDelayMs = 200): Promise<PipeliningResult> {
  const objects = pages * pageSize;
  const result: PipeliningResult = { objects, pageSize, pages, pageDelayMs, pushDelayMs, floor: [], floorFast: [], slow: [], fast: [], delivered: [] };
  await withTaxiiServer(objects, pageDelayMs, (slow) =>
    withTaxiiServer(objects, 0, async (fast) => {
      await runFloor(fast, pageSize);
      for (let i = 1; i <= s.repeats; i++) {
        const floor = await runFloor(slow, pageSize);
        if (floor.pages !== pages) throw new Error(`expected ${pages} pages, the floor read ${floor.pages}`);
        result.floor.push(floor);
        result.floorFast.push(await runFloor(fast, pageSize));
        result.slow.push(check(await runConnector(connectorCase(s, slow, 'file', pageSize)), objects, 'pipelining, slow server'));
        result.fast.push(check(await runConnector(connectorCase(s, fast, 'file', pageSize)), objects, 'pipelining, fast server'));
        const delivered = check(await runConnector({ ...connectorCase(s, slow, 'opencti', pageSize), opencti: { pushDelayMs } }), objects, 'pipelining, slow server and platform');
        result.delivered.push(delivered);
        s.log(
          `pipelining run ${i}/${s.repeats}: floor ${secs(floor.seconds)} s, sync --once ${secs(result.slow.at(-1)!.seconds)} s (${secs(result.fast.at(-1)!.seconds)} s without the delay), ` +
            `into a platform taking ${pushDelayMs} ms a bundle ${secs(delivered.seconds)} s (${secs(delivered.deliverySeconds)} s of delivery)`,
        );
      }
    }),
  );
  return result;
}
