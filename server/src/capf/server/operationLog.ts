/**
 * The server's append-only operation log (operations.log, one JSON object per line). Lines queued while an
 * append is in flight or paced (at most one write per LOG_COMMIT_MS under load, commitPacer.ts) go out
 * together in the next single write, so the file only ever grows by whole lines. Listeners hear each entry
 * at once; `flush` waits for the file.
 * The file stays open between writes (core/fs/appendOnlyFile.ts): an open, write and close per batch, as
 * appendFile does, tripled the system calls of a busy server's logging.
 */
import { promises as fsp } from 'node:fs';
import { AppendOnlyFile } from '../../core/fs/appendOnlyFile';
import { CommitPacer } from './commitPacer';

/** Under load, log writes start at most this often. */
export const LOG_COMMIT_MS = 20;

export type LogEvent =
  | 'server-start'
  | 'server-stop'
  | 'connection-refused'
  | 'tls-error'
  | 'auth'
  | 'operation'
  | 'keygen'
  | 'issued'
  | 'fetched'
  | 'deleted'
  | 'protocol-error'
  | 'timeout'
  | 'session-end'
  | 'state-repair';

export interface OperationLogEntry {
  /** ISO time from the server's clock */
  time: string;
  event: LogEvent;
  message: string;
  session?: number;
  peer?: string;
  device?: string;
  /** END_SESSION reason sent, when the line records a session end */
  reason?: number;
  /** the device's Certificate Operation Status after this step */
  status?: string;
  /** CAPF log error code (Troubleshooting Guide) */
  capfCode?: number;
}

export class OperationLog {
  private queue: string[] = [];
  private writing: Promise<void> | undefined;
  private readonly out: AppendOnlyFile;
  private readonly pacer = new CommitPacer(LOG_COMMIT_MS);
  private listeners: Array<(e: OperationLogEntry) => void> = [];
  /** append failures (disk full…) are counted and reported, never thrown into a session */
  failures = 0;

  constructor(readonly file: string) {
    this.out = new AppendOnlyFile(file);
  }

  onEntry(listener: (e: OperationLogEntry) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  append(entry: OperationLogEntry): void {
    this.queue.push(`${JSON.stringify(entry)}\n`);
    for (const l of this.listeners) {
      try {
        l(entry);
      } catch {
        /* a listener's bug must not break the server */
      }
    }
    this.writing ??= this.drain();
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Flushes and closes the file (a later append reopens it). */
  async close(): Promise<void> {
    await this.flush();
    await this.out.close();
  }

  /** Reads the whole log back (for reports and tests); malformed lines are skipped. */
  async readAll(): Promise<OperationLogEntry[]> {
    await this.flush();
    let text = '';
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: OperationLogEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as OperationLogEntry);
      } catch {
        /* skip */
      }
    }
    return out;
  }

  /** Appends until the queue is empty; `writing` is cleared in the same turn as the last queue check. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        await this.pacer.turn();
        const lines = Buffer.from(this.queue.join(''));
        this.queue = [];
        try {
          await this.out.append(lines);
        } catch {
          this.failures++;
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
