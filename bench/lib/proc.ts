// What a child process uses, from /proc (Linux), sampled every `intervalMs` until it exits: peak
// resident memory (VmRSS, and VmHWM, the kernel's own high-water mark) from /proc/<pid>/status, and
// CPU time (user + system) from /proc/<pid>/stat, as of the last sample.
import { readFileSync } from 'node:fs';

export interface ProcessUsage {
  /** Peak resident set, in bytes (0 when /proc could not be read at all). */
  peakRssBytes: number;
  /** CPU time, user + system, in seconds (up to one interval short of the total). */
  cpuSeconds: number;
}

export interface ProcessSampler {
  stop(): ProcessUsage;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

function read(pid: number): { rss: number; hwm: number; cpu: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are 14th and 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), cpu };
  } catch {
    return undefined; // the process has exited
  }
}

export function sampleProcess(pid: number, intervalMs = 20): ProcessSampler {
  const usage: ProcessUsage = { peakRssBytes: 0, cpuSeconds: 0 };
  const sample = (): void => {
    const s = read(pid);
    if (!s) return;
    usage.peakRssBytes = Math.max(usage.peakRssBytes, s.rss, s.hwm);
    usage.cpuSeconds = Math.max(usage.cpuSeconds, s.cpu);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return usage;
    },
  };
}
