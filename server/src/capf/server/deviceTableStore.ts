/**
 * The device table on disk (capf-devices.json). Reads are cached until the file changes (someone may edit it
 * in VS Code or with `itl-lens capf device` while the server runs). Writes are serialized and batched: every
 * change queued while a write is in flight goes into the next single read-modify-write, which is atomic
 * (temporary file, fsync, rename). A broken file is reported, never overwritten.
 */
import * as fs from 'node:fs';
import { promises as fsp, Stats } from 'node:fs';
import { writeFileAtomicAsync } from '../../core/fs/atomicWriteAsync';
import { CommitPacer } from './commitPacer';
import { DeviceEntry, DeviceTable, TableParse, formatProblems, parseDeviceTable, serializeDeviceTableParts } from './deviceTable';

/**
 * A write that must be durable before the table change that goes with it is written (the issued LSC in the
 * register): started by the caller, named for error messages.
 */
export interface DurableWrite {
  what: string;
  done: Promise<void>;
}

type Mutation = {
  apply: (table: DeviceTable) => unknown;
  /** the companion write, started when the change was queued; resolves to its failure, if any */
  durableFirst?: Promise<DurableWriteError | undefined>;
  /** true when `apply` changes nothing unless it succeeds, so no snapshot is needed to undo it */
  atomic: boolean;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
};

export class DeviceTableError extends Error {}

/** A change's companion write failed: the change was not applied. `cause` is the write error. */
export class DurableWriteError extends Error {
  constructor(
    readonly what: string,
    override readonly cause: Error,
  ) {
    super(`cannot write ${what}: ${cause.message}`);
  }
}

/**
 * Group commit: under load, table writes start at most this often, so that one write carries the results of
 * many sessions (each write is the whole file). The first write after a quiet spell starts at once.
 */
export const GROUP_COMMIT_MS = 20;

export class DeviceTableStore {
  private cache: { key: string; parse: TableParse; byName: Map<string, DeviceEntry> } | undefined;
  private queue: Mutation[] = [];
  private draining: Promise<void> | undefined;
  private writing = false;
  private readonly pacer = new CommitPacer(GROUP_COMMIT_MS);
  private readonly entryBytes = new WeakMap<DeviceEntry, Buffer>();
  /** number of physical writes, for tests and the benchmark report */
  writes = 0;

  constructor(readonly file: string) {}

  /** The table as it is on disk now (a missing file is an empty table). Treat the result as read-only. */
  async read(): Promise<TableParse> {
    // While our own write is in flight the file may already be renamed into place before we hear so: what
    // is on disk then is our doing, and the cache (updated when the write completes) stays authoritative.
    if (this.writing && this.cache) return this.cache.parse;
    let st: Stats;
    try {
      // a stat is metadata only: done synchronously it costs microseconds, less than an async round trip
      st = fs.statSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, table: { devices: [] } };
      return { ok: false, problems: [{ path: '$', message: `cannot read ${this.file}: ${(e as Error).message}` }] };
    }
    const key = statKey(st);
    if (this.cache?.key === key) return this.cache.parse;
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      return { ok: false, problems: [{ path: '$', message: `cannot read ${this.file}: ${(e as Error).message}` }] };
    }
    const parse = parseDeviceTable(text);
    this.setCache(key, parse);
    return parse;
  }

  private setCache(key: string, parse: TableParse): void {
    this.cache = { key, parse, byName: new Map(parse.ok ? parse.table.devices.map((d) => [d.name, d]) : []) };
  }

  /** The entry for `name`, undefined when not listed; throws DeviceTableError when the file is broken. */
  async get(name: string): Promise<DeviceEntry | undefined> {
    const parse = await this.read();
    if (!parse.ok) throw new DeviceTableError(`${this.file} is invalid:\n${formatProblems(parse.problems)}`);
    return this.cache?.parse === parse ? this.cache.byName.get(name) : parse.table.devices.find((d) => d.name === name);
  }

  /**
   * Applies `mutate` to the current table and writes it. Changes queued together are written once.
   * Rejects (without writing) when the file on disk is broken or `mutate` throws.
   */
  update<T>(mutate: (table: DeviceTable) => T): Promise<T> {
    return this.enqueue(mutate, false);
  }

  private enqueue<T>(mutate: (table: DeviceTable) => T, atomic: boolean, first?: DurableWrite): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // the companion write runs concurrently with the batch in flight, so its flush overlaps the table's
      const durableFirst = first?.done.then(
        () => undefined,
        (e: Error) => new DurableWriteError(first.what, e),
      );
      this.queue.push({ apply: mutate, atomic, durableFirst, resolve: resolve as (v: unknown) => void, reject });
      this.draining ??= this.drain();
    });
  }

  /**
   * Changes one device; rejects when it is not listed. `durableFirst` (e.g. the LSC just issued, appended to
   * the register) is group-committed with the change: the batch waits for every companion write to be
   * durable, then writes the table, and only then does the promise settle, so a caller that answers after it
   * never acknowledges what a crash could lose. When the companion write fails, the change rejects with
   * DurableWriteError and is not applied.
   */
  updateDevice(name: string, change: (entry: DeviceEntry) => void, durableFirst?: DurableWrite): Promise<DeviceEntry> {
    return this.enqueue((table) => {
      const i = table.devices.findIndex((d) => d.name === name);
      if (i < 0) throw new DeviceTableError(`${name} is not in the device table`);
      const copy = structuredClone(table.devices[i]);
      change(copy); // on a throw the table is untouched
      table.devices[i] = copy;
      return { ...copy };
    }, true, durableFirst);
  }

  /** Adds or replaces a device entry. */
  upsert(entry: DeviceEntry): Promise<DeviceEntry> {
    return this.enqueue((table) => {
      const i = table.devices.findIndex((d) => d.name === entry.name);
      if (i >= 0) table.devices[i] = structuredClone(entry);
      else table.devices.push(structuredClone(entry));
      return { ...entry };
    }, true);
  }

  /** Resolves when every queued change is on disk. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Writes batches until the queue is empty. `draining` is cleared in the same turn in which the queue is seen
   * empty, so a change queued by a caller that a batch has just woken always finds a drain to pick it up.
   */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        this.draining = undefined;
        return;
      }
      await this.writeBatch();
    }
  }

  /** One batch: read, apply every queued change, write once; settles each change's promise. Never throws. */
  private async writeBatch(): Promise<void> {
    await this.pacer.turn();
    let batch = this.queue;
    this.queue = [];
    if (batch.some((m) => m.durableFirst)) batch = await companionsDurable(batch);
    if (batch.length === 0) return;
    const parse = await this.read();
    if (!parse.ok) {
      const err = new DeviceTableError(`${this.file} is invalid, so it was not changed:\n${formatProblems(parse.problems)}`);
      batch.forEach((m) => m.reject(err));
      return;
    }
    // Atomic changes replace whole entries, so a shallow copy suffices and unchanged entries keep their identity
    // (and their cached text); any other change works on a deep copy.
    const table: DeviceTable = batch.every((m) => m.atomic) ? { devices: parse.table.devices.slice() } : structuredClone(parse.table);
    const results: Array<{ m: Mutation; ok: boolean; value: unknown }> = [];
    for (const m of batch) {
      const snapshot = m.atomic ? undefined : structuredClone(table);
      try {
        results.push({ m, ok: true, value: m.apply(table) });
      } catch (e) {
        if (snapshot) table.devices = snapshot.devices; // a failed change leaves no trace
        results.push({ m, ok: false, value: e });
      }
    }
    try {
      const bytes = serializeDeviceTableParts(table, this.entryBytes);
      this.writing = true;
      try {
        await writeFileAtomicAsync(this.file, bytes);
      } finally {
        this.writing = false;
      }
      this.writes++;
      this.setCache(statKey(fs.statSync(this.file)), { ok: true, table });
    } catch (e) {
      batch.forEach((m) => m.reject(e as Error));
      return;
    }
    for (const r of results) (r.ok ? r.m.resolve(r.value) : r.m.reject(r.value as Error));
  }
}

/** Waits for the batch's companion writes; returns the changes whose writes made it, rejecting the others. */
async function companionsDurable(batch: Mutation[]): Promise<Mutation[]> {
  const failures = await Promise.all(batch.map((m) => m.durableFirst));
  failures.forEach((f, i) => f && batch[i].reject(f));
  return batch.filter((_, i) => !failures[i]);
}

function statKey(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}
