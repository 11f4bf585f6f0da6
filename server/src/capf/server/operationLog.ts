/**
 * The server's append-only operation log (operations.log, one JSON object per line). Lines queued while an
 * append is in flight go out together in the next single append, so the file only ever grows by whole lines.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

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
  private listeners: Array<(e: OperationLogEntry) => void> = [];
  /** append failures (disk full…) are counted and reported, never thrown into a session */
  failures = 0;

  constructor(readonly file: string) {}

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
      await fsp.mkdir(path.dirname(this.file), { recursive: true }).catch(() => undefined);
      while (this.queue.length) {
        const lines = this.queue.join('');
        this.queue = [];
        try {
          await fsp.appendFile(this.file, lines, { mode: 0o644 });
        } catch {
          this.failures++;
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
