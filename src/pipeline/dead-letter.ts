// The dead-letter queue: entries for bundles that could not be delivered, objects that were
// refused, and runs that failed. Entries wait (no worker takes them) until replayed or purged;
// their ids derive from the failed job's id, so dead-lettering twice stores one entry.
import type { Job, Queue } from 'bullmq';
import { DeadLetterEntry } from './jobs';
import { jobIds } from './keys';

export interface DeadLetterItem {
  id: string;
  entry: DeadLetterEntry;
}

const STATES = ['waiting', 'delayed', 'prioritized'] as const;

/** What a caller says of a failure; the version, the time and the replay count are filled in. */
export type NewDeadLetter = Omit<DeadLetterEntry, 'v' | 'failedAt' | 'replays'>;

export class DeadLetters {
  constructor(
    private readonly queue: Queue,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores an entry for a failed job (once per job id); returns the entry's id. */
  async add(failedJobId: string, entry: NewDeadLetter): Promise<string> {
    const id = jobIds.deadLetter(failedJobId);
    const full: DeadLetterEntry = { ...entry, v: 1, failedAt: new Date(this.now()).toISOString(), replays: 0 };
    await this.queue.add(entry.kind, DeadLetterEntry.parse(full), { jobId: id });
    return id;
  }

  async get(id: string): Promise<DeadLetterItem | undefined> {
    const job = await this.queue.getJob(id);
    return job ? this.toItem(job) : undefined;
  }

  async list(limit = 1000): Promise<DeadLetterItem[]> {
    const jobs = await this.queue.getJobs([...STATES], 0, limit - 1, true);
    return jobs.filter((j): j is Job => Boolean(j)).map((j) => this.toItem(j)).filter((i): i is DeadLetterItem => Boolean(i));
  }

  async count(): Promise<number> {
    const counts = await this.queue.getJobCounts(...STATES);
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async update(id: string, entry: DeadLetterEntry): Promise<void> {
    const job = await this.queue.getJob(id);
    if (job) await job.updateData(entry);
  }

  async remove(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job) return false;
    await job.remove();
    return true;
  }

  /** Removes every entry; returns how many there were. */
  async purge(): Promise<number> {
    const n = await this.count();
    await this.queue.obliterate({ force: true });
    return n;
  }

  private toItem(job: Job): DeadLetterItem | undefined {
    const parsed = DeadLetterEntry.safeParse(job.data);
    return parsed.success && job.id ? { id: job.id, entry: parsed.data } : undefined;
  }
}
