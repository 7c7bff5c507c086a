// Starts and stops worker processes (test/support/worker-process.ts) and collects their job lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface ChildWorker {
  proc: ChildProcess;
  pid: number;
  /** Ids of the jobs this process completed, by queue. */
  completed: Array<{ queue: string; id: string }>;
  stderr: string[];
  exited: Promise<number | null>;
}

const ROOT = resolve(__dirname, '../..');

export async function spawnWorker(rawConfig: unknown): Promise<ChildWorker> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    cwd: ROOT,
    env: { ...process.env, TEST_CONFIG: JSON.stringify(rawConfig) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: ChildWorker = {
    proc,
    pid: proc.pid ?? -1,
    completed: [],
    stderr: [],
    exited: new Promise((r) => proc.on('exit', (code) => r(code))),
  };
  let ready: () => void = () => undefined;
  let failed: (e: Error) => void = () => undefined;
  const readyP = new Promise<void>((res, rej) => {
    ready = res;
    failed = rej;
  });
  let buf = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const msg = JSON.parse(line) as { event: string; queue?: string; id?: string };
        if (msg.event === 'ready') ready();
        if (msg.event === 'completed' && msg.queue && msg.id) child.completed.push({ queue: msg.queue, id: msg.id });
      } catch {
        /* not one of ours */
      }
    }
  });
  proc.stderr?.on('data', (chunk: Buffer) => child.stderr.push(chunk.toString()));
  void child.exited.then((code) => failed(new Error(`worker exited with ${code}: ${child.stderr.join('')}`)));
  await readyP;
  return child;
}

export async function killWorker(child: ChildWorker, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill(signal);
  await child.exited;
}
