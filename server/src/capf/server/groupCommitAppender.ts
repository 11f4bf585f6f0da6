/**
 * Group-committed appends to one file, shared by the operation log and the LSC register: what is appended
 * while a write is in flight or paced (commitPacer.ts) goes out in the next single write, in append order,
 * followed by one fdatasync when the file must be durable. Each append's promise settles with its batch.
 */
import { AppendOnlyFile } from '../../core/fs/appendOnlyFile';
import { CommitPacer } from './commitPacer';

type Waiter = { resolve: () => void; reject: (e: Error) => void };

export class GroupCommitAppender {
  private readonly out: AppendOnlyFile;
  private readonly pacer: CommitPacer;
  private queue: Buffer[] = [];
  private waiters: Waiter[] = [];
  private draining: Promise<void> | undefined;
  /** physical writes made, and writes that failed (each failure rejects its batch's appends) */
  writes = 0;
  failedWrites = 0;

  constructor(
    readonly file: string,
    private readonly o: { intervalMs: number; dataSync: boolean },
  ) {
    this.out = new AppendOnlyFile(file);
    this.pacer = new CommitPacer(o.intervalMs);
  }

  /** Queues `bytes`; resolves once its batch is written (and on disk, with dataSync). */
  append(bytes: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.push(bytes);
    });
  }

  /** Queues `bytes` with nobody waiting for them: a failed write is only counted (`failedWrites`). */
  push(bytes: Buffer): void {
    this.queue.push(bytes);
    this.draining ??= this.drain();
  }

  /** Resolves when everything appended so far is written. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Flushes and closes the file (a later append reopens it). */
  async close(): Promise<void> {
    await this.flush();
    await this.out.close();
  }

  /** Writes batches until the queue is empty; `draining` is cleared in the same turn as the last queue check. */
  private async drain(): Promise<void> {
    while (this.queue.length) {
      await this.pacer.turn();
      const bytes = Buffer.concat(this.queue);
      const waiters = this.waiters;
      this.queue = [];
      this.waiters = [];
      try {
        await this.out.append(bytes, { dataSync: this.o.dataSync });
        this.writes++;
        waiters.forEach((w) => w.resolve());
      } catch (e) {
        this.failedWrites++;
        waiters.forEach((w) => w.reject(e as Error));
      }
    }
    this.draining = undefined;
  }
}
