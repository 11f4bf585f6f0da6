/**
 * The server's operation log (operations.log, one JSON object per line), for people and reports: lines are
 * appended in order, those queued during a write going out together in the next; listeners hear each
 * entry at once. It is a record, not the state: a
 * crash may lose its last lines, never a result (results are in capf-state.jsonl, stateLog.ts).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { escapeControls, hasControls } from '../../../core/text/controlChars';

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
  private listeners: Array<(e: OperationLogEntry) => void> = [];
  /** lines not yet handed to the file: each write takes all of them */
  private pending: string[] = [];
  private writing: Promise<void> | undefined;
  /** writes that failed (disk full…): counted, never thrown into a session */
  failures = 0;

  constructor(readonly file: string) {}

  onEntry(listener: (e: OperationLogEntry) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  append(raw: OperationLogEntry): void {
    const entry = printableEntry(raw);
    this.pending.push(`${JSON.stringify(entry)}\n`);
    this.writing ??= this.drain();
    for (const l of this.listeners) {
      try {
        l(entry);
      } catch {
        /* a listener's bug must not break the server */
      }
    }
  }

  /** Appends by name each time, so a log that was deleted or moved away is started anew. */
  private async drain(): Promise<void> {
    while (this.pending.length) {
      const text = this.pending.splice(0).join('');
      try {
        await fsp.appendFile(this.file, text).catch(async (e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
          await fsp.mkdir(path.dirname(this.file), { recursive: true });
          await fsp.appendFile(this.file, text);
        });
      } catch {
        this.failures++;
      }
    }
    this.writing = undefined;
  }

  /** Resolves when every line appended so far is in the file. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** The same as flush: the log keeps no file open. */
  close(): Promise<void> {
    return this.flush();
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
