/**
 * The CAPF server's own state (capf-state.jsonl, model/deviceStateFiles.ts), which only the server writes.
 * A change is durable before it is acknowledged: its line is appended and flushed (fdatasync) before the
 * promise resolves. Lines queued while a flush is under way go out together in the next write and flush
 * (group commit: a flush costs this kind of machine more CPU than a session's RSA signature). A write that
 * fails part-way is cut back, so the file only ever grows by whole lines. At open the log is rewritten
 * whole (temporary file, fsync, rename) when it holds much more than the current state, which also drops
 * the cut-short line a crash can leave.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { syncDir, writeFileAtomicAsync } from '../../../core/fs/atomicWriteAsync';
import { Clock } from '../../../core/time/clock';
import { DeviceState, MAX_REGISTERED_LSCS, newDeviceState } from '../../model/deviceState';
import { StateRecord, compactStateLog, foldStateLog, stateLine } from '../../model/deviceStateFiles';
import { safeDevice } from '../../model/labLayout';

interface Pending {
  bytes: Buffer;
  done: (e?: Error) => void;
}

export class StateLog {
  private file: fsp.FileHandle | undefined;
  /** bytes known to be whole lines on disk */
  private size = 0;
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  /** the last change queued for each device */
  private readonly busy = new Map<string, Promise<unknown>>();

  private constructor(
    readonly path: string,
    private readonly states: Map<string, DeviceState>,
    private readonly clock: Clock,
  ) {}

  /** Reads the log (compacting it when it is mostly history) and keeps it open for appends. */
  static async open(file: string, clock: Clock): Promise<StateLog> {
    let text = '';
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const states = foldStateLog(text);
    const compact = compactStateLog(states);
    if (text && (compact.length < text.length / 2 || !text.endsWith('\n'))) await writeFileAtomicAsync(file, compact);
    return new StateLog(file, states, clock);
  }

  get(device: string): DeviceState | undefined {
    return this.states.get(device);
  }

  /** Applies `change` to a copy of the device's state; resolves once the change is on disk. Changes to one device apply in turn. */
  update(device: string, change: (s: DeviceState) => void): Promise<DeviceState> {
    const next = (this.busy.get(device) ?? Promise.resolve()).catch(() => undefined).then(() => this.apply(device, change));
    this.busy.set(device, next);
    const forget = () => this.busy.get(device) === next && this.busy.delete(device);
    next.then(forget, forget);
    return next;
  }

  private async apply(device: string, change: (s: DeviceState) => void): Promise<DeviceState> {
    safeDevice(device);
    const before = this.states.get(device);
    // a copy the change may edit: its nested records are replaced by changes, never edited, but for the LSC list
    const s: DeviceState = before ? { ...before, lscs: [...before.lscs] } : newDeviceState(device, this.clock());
    change(s);
    s.updatedAt = this.clock().toISOString();
    const known = new Set(before?.lscs.map((l) => l.serialNumber));
    const records: StateRecord[] = s.lscs.filter((l) => !known.has(l.serialNumber)).map((l) => ({ lsc: { device, ...l } }));
    const { lscs, ...state } = s;
    records.push({ state });
    await this.append(Buffer.from(records.map(stateLine).join('')));
    s.lscs = lscs.slice(-MAX_REGISTERED_LSCS);
    this.states.set(device, s);
    return s;
  }

  /** Resolves when everything appended so far is on disk (or failed). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    const f = this.file;
    this.file = undefined;
    await f?.close();
  }

  private append(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, done: (e) => (e ? reject(e) : resolve()) });
      this.writing ??= this.drain().finally(() => (this.writing = undefined));
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0);
      try {
        const f = await this.handle();
        const bytes = Buffer.concat(batch.map((p) => p.bytes));
        const { bytesWritten } = await f.write(bytes, 0, bytes.length, this.size);
        if (bytesWritten !== bytes.length) throw new Error(`short write: ${bytesWritten} of ${bytes.length} bytes (disk full?)`);
        await f.datasync();
        this.size += bytes.length;
        for (const p of batch) p.done();
      } catch (e) {
        await this.file?.truncate(this.size).catch(() => undefined); // never leave part of a line behind
        for (const p of batch) p.done(e as Error);
      }
    }
  }

  private async handle(): Promise<fsp.FileHandle> {
    if (this.file) return this.file;
    await fsp.mkdir(path.dirname(this.path), { recursive: true });
    const f = await fsp.open(this.path, 'a+');
    this.size = (await f.stat()).size;
    this.file = f;
    await new Promise<void>((resolve, reject) => syncDir(path.dirname(this.path), (e) => (e ? reject(e) : resolve()))); // the file's name, if new
    return f;
  }
}
