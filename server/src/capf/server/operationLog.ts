/**
 * The server's append-only operation log (operations.log, one JSON object per line). Lines queued while an
 * append is in flight or paced (at most one write per LOG_COMMIT_MS under load, commitPacer.ts) go out
 * together in the next single write (groupCommitAppender.ts), so the file only ever grows by whole lines.
 * Listeners hear each entry at once; `flush` waits for the file. The file stays open between writes: an open,
 * write and close per batch, as appendFile does, tripled the system calls of a busy server's logging.
 */
import { promises as fsp } from 'node:fs';
import { escapeControls, hasControls } from '../../core/text/controlChars';
import { GroupCommitAppender } from './groupCommitAppender';

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
  private readonly out: GroupCommitAppender;
  private listeners: Array<(e: OperationLogEntry) => void> = [];

  constructor(readonly file: string) {
    this.out = new GroupCommitAppender(file, { intervalMs: LOG_COMMIT_MS, dataSync: false });
  }

  /** writes that failed (disk full…): counted, never thrown into a session */
  get failures(): number {
    return this.out.failedWrites;
  }

  onEntry(listener: (e: OperationLogEntry) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  append(raw: OperationLogEntry): void {
    const entry = printableEntry(raw);
    this.out.push(Buffer.from(`${JSON.stringify(entry)}\n`)); // a failed write is counted in `failures`
    for (const l of this.listeners) {
      try {
        l(entry);
      } catch {
        /* a listener's bug must not break the server */
      }
    }
  }

  flush(): Promise<void> {
    return this.out.flush();
  }

  /** Flushes and closes the file (a later append reopens it). */
  close(): Promise<void> {
    return this.out.close();
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
}

/**
 * The entry with the control characters of its text escaped (core/text/controlChars.ts): device names,
 * peers and messages carry what phones sent, and the log is read in terminals (and printed by capf-server).
 */
function printableEntry(e: OperationLogEntry): OperationLogEntry {
  if (!Object.values(e).some((v) => typeof v === 'string' && hasControls(v))) return e; // the usual case: no copy
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) out[k] = typeof v === 'string' ? escapeControls(v) : v;
  return out as unknown as OperationLogEntry;
}
