// A private redis-server for tests that stop Redis on purpose: a free port on 127.0.0.1, append-only
// persistence in a temp folder, stop (SHUTDOWN or SIGKILL) and restart on the same port and folder.
// The process is killed when the test process exits, whatever happens.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { removeDir } from './pipeline-harness';

export interface PrivateRedis {
  port: number;
  url: string;
  dir: string;
  /** Stops the server: `shutdown` saves the AOF and exits; `kill` is SIGKILL. */
  stop(how: 'shutdown' | 'kill'): Promise<void>;
  /** Starts it again on the same port with the same AOF folder; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it if running and removes its folder. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function answers(port: number): Promise<boolean> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, connectTimeout: 500 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export async function startPrivateRedis(options: { appendfsync?: 'always' | 'everysec' } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'taxii-rel-redis-'));
  let proc: ChildProcess | undefined;
  const killOnExit = () => proc?.kill('SIGKILL');
  process.on('exit', killOnExit);

  const running = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  const launch = async (): Promise<void> => {
    if (running()) return;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'everysec', '--dir', dir, '--save', '', '--daemonize', 'no', '--logfile', join(dir, 'redis.log')];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    proc = child;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (see ${join(dir, 'redis.log')})`);
      if (await answers(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer on port ${port} within 10 s`);
  };

  const stop = async (how: 'shutdown' | 'kill'): Promise<void> => {
    const child = proc;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (how === 'kill') child.kill('SIGKILL');
    else {
      const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      // SHUTDOWN closes the connection instead of answering.
      await r.call('SHUTDOWN').catch(() => undefined);
      r.disconnect();
    }
    await exited;
    proc = undefined;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop,
    start: launch,
    dispose: async () => {
      await stop('kill');
      process.off('exit', killOnExit);
      removeDir(dir);
    },
  };
}
