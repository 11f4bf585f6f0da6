/**
 * The device table on disk (capf-devices.json). Reads are cached until the file changes (someone may edit it
 * in VS Code or with `itl-lens capf device` while the server runs). Writes are serialized and batched: every
 * change queued while a write is in flight goes into the next single write. A broken file is reported, never
 * overwritten.
 *
 * Two ways of writing a batch:
 *   - whole-table (the default, and every `update`): read-modify-write of the whole file, atomic (temporary
 *     file, fsync, rename);
 *   - journaled (while the CAPF server runs, `startJournal`): entry changes, with the LSCs they record, are
 *     appended to the table's journal (deviceTableJournal.ts: one write and one fdatasync per batch); at most
 *     once per CHECKPOINT_MS, and on flush, the LSCs go to the register and the table is rewritten from
 *     memory; then the journal is removed.
 * Either way a change settles only once it is on disk, with its LSC (in the whole-table way the LSC is in the
 * register before the table is written). Every read lays a journal that applies over the table, so other
 * processes (the CLI, a second VS Code window) see the server's results before the checkpoint.
 *
 * While a server journals, it is the table's owner (tableOwner.ts): another process that writes the table
 * meanwhile writes it with the journal's results laid over, but leaves the journal and its LSCs to the server;
 * the server sees the new file at its next batch and writes it in at once, keeping any entry that was edited
 * after its result (see `compose`). Only the journal of a server that is gone is taken in by others.
 */
import * as fs from 'node:fs';
import { promises as fsp, Stats } from 'node:fs';
import { writeFileAtomicAsync } from '../../core/fs/atomicWriteAsync';
import { AppendOnlyFile } from '../../core/fs/appendOnlyFile';
import { CommitPacer } from './commitPacer';
import { DeviceEntry, DeviceTable, TableParse, copyDeviceEntry, formatProblems, newDeviceEntry, parseDeviceTable, serializeDeviceTableParts, serializeEntry } from './deviceTable';
import { JournalRecord, applyRecords, journalHeader, journalLines, journalPathFor, parseJournal, tableHash } from './deviceTableJournal';
import { RegisteredLsc } from './lscRegister';
import { claimTable, liveOwner, ownerConflict, ownerPathFor, releaseTable } from './tableOwner';

/** Where issued LSCs go for good (the LSC register); `append` resolves once the LSC is on disk. */
export interface LscSink {
  append(lsc: RegisteredLsc): Promise<void>;
  readAll(): Promise<RegisteredLsc[]>;
}

/**
 * A change to one entry: `edit` the listed entry (rejected when it is not listed, unless `create`: then a new
 * entry with CUCM's defaults is edited and added), or `put` a whole entry.
 */
type EntryChange = { name: string; edit: (entry: DeviceEntry) => void; create?: boolean } | { name: string; put: DeviceEntry };

type Mutation = {
  /** a change of the whole table (`update`): applied to a copy, undone when it throws */
  whole?: (table: DeviceTable) => unknown;
  entry?: EntryChange;
  /** the LSC the change records as issued: durable with it */
  lsc?: RegisteredLsc;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
};

export class DeviceTableError extends Error {}

/**
 * Group commit: under load, batches start at most this often, so that one write carries the results of many
 * sessions. The first batch after a quiet spell starts at once.
 */
export const GROUP_COMMIT_MS = 20;

/** While journaled, the table file is rewritten at most this often (and on flush and stop). */
export const CHECKPOINT_MS = 1000;

/** The table file as last read or written by this store. */
interface TableFile {
  /** stat key ('' when there is no file) */
  key: string;
  parse: TableParse;
  /** SHA-256 of its bytes ('' when there is no file): a journal applies only to the file it names */
  hash: string;
}

/** A journal left by another process (or a stopped server), as last read. */
interface Overlay {
  key: string;
  tableHash: string | undefined;
  records: JournalRecord[];
  problem?: string;
  /** line numbers of whole lines that could not be read (skipped) */
  unreadable?: number[];
  /** the last line was cut short (ignored) */
  cutOff?: boolean;
  /** not one whole line: at most a header cut short (a crash as the journal began), so no result */
  headerless?: boolean;
  /** LSCs of this journal put in the register although its results were not applied (it is kept aside) */
  strayLscsRegistered?: number;
}

/** What reads see: the table file with the journal laid over it, and where each device's entry is in it. */
interface View {
  parse: TableParse;
  index: Map<string, number>;
}

export class DeviceTableStore {
  readonly journalFile: string;
  private base: TableFile | undefined;
  private overlay: Overlay | undefined;
  /** entry changes this store journaled since its last whole-table write */
  private own: JournalRecord[] = [];
  private view: View | undefined;
  private queue: Mutation[] = [];
  private draining: Promise<void> | undefined;
  private writing = false;
  private journaled = false;
  private checkpointDue = false;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private readonly journalOut: AppendOnlyFile;
  private readonly pacer = new CommitPacer(GROUP_COMMIT_MS);
  private readonly entryBytes = new WeakMap<DeviceEntry, Buffer>();
  /** LSCs of journal records already appended to the register (a checkpoint that failed later does not append them twice) */
  private readonly registered = new WeakSet<RegisteredLsc>();
  /** why the last write failed */
  private lastWriteError: Error | undefined;
  /** for each of our journal records, the entry it replaced (null: it added the device) */
  private readonly replaced = new WeakMap<JournalRecord, DeviceEntry | null>();
  /** number of whole-table writes and of journal appends, for tests and the benchmark report */
  writes = 0;
  journalWrites = 0;

  /**
   * `register` receives the LSCs that changes record (without one, such changes are refused); `onRepair` hears
   * what a server's journal held when this store takes it into the table (results, unreadable lines, an
   * incomplete last line), of journals kept aside, and of checkpoints that could not be written.
   * `checkpointMs` (default CHECKPOINT_MS) spaces the whole-table writes while journaled; tests that
   * simulate a crash set it long, so that no checkpoint can take the journal in before the "crash".
   */
  constructor(
    readonly file: string,
    private readonly o: { onRepair?: (message: string) => void; register?: LscSink; checkpointMs?: number } = {},
  ) {
    this.journalFile = journalPathFor(file);
    this.journalOut = new AppendOnlyFile(this.journalFile);
  }

  /** The table as it is now: the file, with a journal that applies to it laid over. Treat the result as read-only. */
  async read(): Promise<TableParse> {
    // While our own write is in flight the file may already be renamed into place before we hear so: what
    // is on disk then is our doing, and the view (updated when the write completes) stays authoritative.
    if (this.writing && this.view) return this.view.parse;
    const key = statKey(this.file);
    if (typeof key !== 'string') return { ok: false, problems: [{ path: '$', message: `cannot read ${this.file}: ${key.error}` }] };
    let changed = !this.view;
    if (this.base?.key !== key) {
      this.base = await loadTable(this.file, key);
      changed = true;
      // someone else changed the file: our journal no longer applies to it, so write our results in at once
      if (this.own.length) this.requestCheckpoint();
    }
    if (!this.journaled) {
      // a server's journal holds only what it journaled itself (`own`); anyone else reads it from disk
      const jkey = statKey(this.journalFile);
      if (typeof jkey === 'string' && this.overlay?.key !== jkey) {
        this.overlay = jkey ? await loadOverlay(this.journalFile, jkey) : undefined;
        changed = true;
      }
    }
    if (changed) this.view = this.compose();
    return (this.view as View).parse;
  }

  /** The entry for `name`, undefined when not listed; throws DeviceTableError when the file is broken. */
  async get(name: string): Promise<DeviceEntry | undefined> {
    const parse = await this.read();
    if (!parse.ok) throw new DeviceTableError(`${this.file} is invalid:\n${formatProblems(parse.problems)}`);
    if (this.view?.parse !== parse) return parse.table.devices.find((d) => d.name === name);
    const i = this.view.index.get(name);
    return i === undefined ? undefined : parse.table.devices[i];
  }

  /**
   * Applies `mutate` to the current table and writes the whole table. Changes queued together are written once.
   * Rejects (without writing) when the file on disk is broken or `mutate` throws.
   */
  update<T>(mutate: (table: DeviceTable) => T): Promise<T> {
    return this.enqueue({ whole: mutate });
  }

  /**
   * Changes one device; rejects when it is not listed. `lsc`, the LSC the change records as issued, is made
   * durable with it, group-committed with other sessions' changes: in the journal line of the change, or (not
   * journaled) in the register before the table is written. The promise settles only then, so a caller that
   * answers after it never acknowledges what a crash could lose. A change that is refused records no LSC.
   */
  updateDevice(name: string, edit: (entry: DeviceEntry) => void, lsc?: RegisteredLsc): Promise<DeviceEntry> {
    return this.enqueue({ entry: { name, edit }, lsc });
  }

  /** Changes one device, adding it (CUCM's defaults, then `edit`) when it is not listed: scheduling an operation. */
  updateOrAddDevice(name: string, edit: (entry: DeviceEntry) => void): Promise<DeviceEntry> {
    return this.enqueue({ entry: { name, edit, create: true } });
  }

  /** An LSC recorded by a change that is journaled but not yet in the register (see LabState.currentLsc). */
  journaledLsc(device: string, serialNumber: string): RegisteredLsc | undefined {
    const records = this.pendingRecords();
    for (let i = records.length - 1; i >= 0; i--) {
      const l = records[i].lsc;
      if (l && l.device === device && l.serialNumber === serialNumber) return l;
    }
    return undefined;
  }

  /** Adds or replaces a device entry (a copy of it: the caller keeps its object). */
  upsert(entry: DeviceEntry): Promise<DeviceEntry> {
    return this.enqueue({ entry: { name: entry.name, put: copyDeviceEntry(entry) } });
  }

  /**
   * From now on, entry changes go to the journal and the table is rewritten at most every CHECKPOINT_MS (the
   * CAPF server calls this when it starts). A journal found now is first taken into the table when it applies
   * to it, else kept aside under a new name; either is reported to `onRepair`.
   */
  async startJournal(): Promise<void> {
    const other = liveOwner(this.file);
    if (other) throw new DeviceTableError(ownerConflict(this.file, other));
    await this.flush();
    await this.read();
    const o = this.overlay;
    if (o && !this.base?.parse.ok) {
      if (o.records.length || o.unreadable?.length || (o.problem && !o.headerless)) {
        // appending our results under its header would mix them with results that apply to no table yet
        throw new DeviceTableError(`${this.file} is invalid and ${this.journalFile} holds results not yet written into it: mend the table (or move the journal away), then start the server`);
      }
      removeIfPresent(this.journalFile); // a header (or part of one) and nothing else: our results must not go in under it
    }
    // (a broken table without such a journal is left as it is until it is mended: sessions are refused meanwhile)
    if (o && this.base?.parse.ok) {
      const rival = liveOwner(this.file); // one that started while we read: its journal is not ours to dispose of
      if (rival) throw new DeviceTableError(ownerConflict(this.file, rival));
      if (this.pendingRecords() !== o.records) {
        await this.registerLscs([]); // its statuses do not apply, but its LSCs were issued
        this.setAside(o);
      }
      else if (o.records.length) {
        this.requestCheckpoint(); // a whole-table write of the view, which holds the journal's results (writeTable retires the journal)
        while (this.draining) await this.draining;
        // a failed write leaves the overlay: its LSCs would never reach the register once we journal on top of it
        if (this.overlay === o) {
          throw new DeviceTableError(`could not take ${this.journalFile} into ${this.file}: ${this.lastWriteError?.message ?? 'the write failed'}; the server can start once it can`);
        }
      } else this.retireJournal(o);
    }
    this.overlay = undefined;
    if (fs.existsSync(this.journalFile)) {
      // taken in or kept aside, it should be gone: appending to it would put our results under its header
      throw new DeviceTableError(`${this.journalFile} could not be removed or moved aside (see the log): move it away, then start the server`);
    }
    try {
      claimTable(this.file, new Date()); // exclusive: of two servers starting together, one gets the table
    } catch (e) {
      throw new DeviceTableError((e as Error).message);
    }
    this.journaled = true;
  }

  /** Writes the journaled results into the table and goes back to whole-table writes (server stop). */
  async stopJournal(): Promise<void> {
    try {
      await this.flush();
    } finally {
      // even when the last checkpoint failed (its results stay in the journal, which the next taker-in finds)
      this.journaled = false;
      if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
      this.checkpointTimer = undefined;
      try {
        releaseTable(this.file);
      } catch (e) {
        this.o.onRepair?.(`could not remove ${ownerPathFor(this.file)}: ${(e as Error).message}; it names this process, which no longer serves the table`);
      }
      await this.journalOut.close();
    }
  }

  /** Resolves when every queued change is on disk and the table file holds every result. */
  async flush(): Promise<void> {
    if (this.own.length) this.requestCheckpoint();
    while (this.draining) await this.draining;
  }

  private enqueue<T>(m: Omit<Mutation, 'resolve' | 'reject'>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ ...m, resolve: resolve as (v: unknown) => void, reject });
      this.draining ??= this.drain();
    });
  }

  private requestCheckpoint(): void {
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    this.checkpointDue = true;
    this.draining ??= this.drain();
  }

  private scheduleCheckpoint(): void {
    this.checkpointTimer ??= setTimeout(() => {
      this.checkpointTimer = undefined;
      if (this.own.length) this.requestCheckpoint();
    }, this.o.checkpointMs ?? CHECKPOINT_MS);
    // a process that exits before the checkpoint leaves the journal, which every reader lays over the table
    this.checkpointTimer.unref();
  }

  /**
   * Writes batches until nothing is queued or due. `draining` is cleared in the same turn in which that is
   * seen, so a change queued by a caller that a batch has just woken always finds a drain to pick it up.
   */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0 && !this.checkpointDue) {
        this.draining = undefined;
        return;
      }
      await this.writeBatch();
    }
  }

  /** One batch: read, apply every queued change, write once (journal or table); settles each change. Never throws. */
  private async writeBatch(): Promise<void> {
    await this.pacer.turn();
    const batch = this.queue;
    this.queue = [];
    let checkpoint = this.checkpointDue;
    this.checkpointDue = false;
    if (batch.length === 0 && !checkpoint) return;
    const whole = batch.some((m) => m.whole);
    const parse = await this.read();
    // A file someone else wrote, seen just now: our journal names the table as it was, so this batch writes
    // the whole table instead of appending to it (`read` asked for that checkpoint).
    if (this.checkpointDue) {
      checkpoint = true;
      this.checkpointDue = false;
    }
    const journal = this.journaled && !checkpoint && !whole;
    // a table another process is serving: its journal and the LSCs in it stay the server's to write in
    // (decided on the marker alone: a live server's journal may be new and still empty, or its header not yet whole)
    const servedElsewhere = !this.journaled && !!liveOwner(this.file);
    if (!parse.ok) {
      if (this.own.length) this.scheduleCheckpoint(); // tried again once a second until the file is mended
      const err = new DeviceTableError(`${this.file} is invalid, so it was not changed:\n${formatProblems(parse.problems)}`);
      batch.forEach((m) => m.reject(err));
      return; // journaled results stay in memory and in the journal until the file is mended
    }
    const view = this.view as View;
    // Entry changes replace whole entries, so a shallow copy suffices and unchanged entries keep their
    // identity (and their cached text); a whole-table change works on a deep copy. The view's index is
    // extended, not copied: only the names this batch adds are new, and they join it once the batch is durable.
    let table: DeviceTable = whole ? copyTable(parse.table) : { devices: parse.table.devices.slice() };
    const added = new Map<string, number>();
    let index: NameIndex = whole ? indexOf(table) : { get: (name) => added.get(name) ?? view.index.get(name), set: (name, i) => added.set(name, i) };
    const results: Array<{ m: Mutation; ok: boolean; value: unknown }> = [];
    const records: JournalRecord[] = [];
    for (const m of batch) {
      try {
        if (m.whole) {
          const snapshot = copyTable(table);
          try {
            results.push({ m, ok: true, value: m.whole(table) });
          } catch (e) {
            table = snapshot; // a failed change leaves no trace
            throw e;
          } finally {
            index = indexOf(table);
          }
        } else {
          if (m.lsc && !this.o.register) throw noRegister();
          const { record, replaced } = applyEntryChange(table, index, m.entry as EntryChange);
          if (journal) this.replaced.set(record, replaced);
          if (m.lsc) record.lsc = m.lsc;
          records.push(record);
          results.push({ m, ok: true, value: { ...record.entry } });
        }
      } catch (e) {
        results.push({ m, ok: false, value: e });
      }
    }
    try {
      if (journal) await this.appendJournal(records);
      else {
        await this.registerLscs(records, servedElsewhere);
        await this.writeTable(table, servedElsewhere);
      }
    } catch (e) {
      this.lastWriteError = e as Error;
      batch.forEach((m) => m.reject(e as Error));
      if (!journal && this.own.length) {
        // a checkpoint that failed: the results stay journaled (on disk, and here) and it is tried again later
        this.o.onRepair?.(`could not write the journaled results into ${this.file}: ${(e as Error).message}; they stay in ${this.journalFile}`);
        this.scheduleCheckpoint();
      }
      return;
    }
    if (journal) {
      this.own.push(...records);
      if (this.view === view) {
        for (const [name, i] of added) view.index.set(name, i);
        view.parse = { ok: true, table };
      } else {
        // a read during the append saw a file someone else wrote and rebuilt the view without this batch:
        // rebuild it again, with this batch's results, and write it in at once (our journal, perhaps begun
        // by this very append, names the file as it was)
        this.view = this.compose();
        this.requestCheckpoint();
      }
      this.scheduleCheckpoint();
    }
    for (const r of results) (r.ok ? r.m.resolve(r.value) : r.m.reject(r.value as Error));
  }

  /**
   * Before a whole-table write: the LSCs its changes record go to the register, each once: this batch's, and
   * those of the journal being written in (ours, or one left by a stopped server, less what the register has).
   * A server's journal that the write keeps aside instead (it names another table) gives its LSCs too: its
   * statuses do not apply, but the LSCs were issued, and the register holds every LSC issued; without a
   * register (a reader's store) those stay in the kept journal only.
   */
  private async registerLscs(batchRecords: JournalRecord[], servedElsewhere = false): Promise<void> {
    const o = this.overlay;
    const folded = servedElsewhere ? [] : this.pendingRecords();
    const aside = !servedElsewhere && !this.journaled && o && folded !== o.records ? o.records : [];
    const unregistered = (records: readonly JournalRecord[]) => records.map((r) => r.lsc).filter((l): l is RegisteredLsc => !!l && !this.registered.has(l));
    const pending = unregistered([...folded, ...batchRecords]);
    const stray = this.o.register ? unregistered(aside) : [];
    if (pending.length + stray.length === 0) return;
    const register = this.o.register;
    if (!register) throw noRegister();
    let have = new Set<string>();
    // a journal from disk: after a crash the register may hold some of its LSCs already
    if (folded === o?.records || stray.length) have = new Set((await register.readAll()).map((l) => `${l.device} ${l.serialNumber}`));
    const all = [...pending, ...stray];
    await Promise.all(all.filter((l) => !have.has(`${l.device} ${l.serialNumber}`)).map((l) => register.append(l)));
    for (const l of all) this.registered.add(l);
    if (o && stray.length) o.strayLscsRegistered = stray.length;
  }

  private async appendJournal(records: JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    const hash = (this.base as TableFile).hash;
    await this.journalOut.append(journalLines(records), { dataSync: true, header: () => journalHeader(hash) });
    this.journalWrites++;
  }

  /**
   * The whole table, atomically; then the journal is removed (its results are in the table now), unless a
   * live server elsewhere owns it (`servedElsewhere`): that server writes it in when it sees the new file.
   */
  private async writeTable(table: DeviceTable, servedElsewhere = false): Promise<void> {
    const parts = serializeDeviceTableParts(table, this.entryBytes);
    const previous = this.base;
    this.writing = true;
    try {
      await writeFileAtomicAsync(this.file, parts);
    } finally {
      this.writing = false;
    }
    this.writes++;
    const key = statKey(this.file);
    this.base = { key: typeof key === 'string' ? key : '?', parse: { ok: true, table }, hash: tableHash(parts) };
    this.view = makeView(this.base.parse);
    this.own = [];
    const o = this.overlay;
    this.overlay = undefined;
    try {
      if (servedElsewhere || (!this.journaled && liveOwner(this.file))) {
        // left in place; its header names the table as it was, so readers no longer lay it over this one
      } else if (this.journaled || !o || o.key === '' || (o.tableHash === previous?.hash && !o.problem)) {
        if (!this.journaled && o && o.key !== '') this.retireJournal(o); // a server's journal, now in the table
        else removeIfPresent(this.journalFile);
      } else this.setAside(o);
    } catch (e) {
      // The table is written and holds every result: this write succeeded. A journal left behind names the
      // table as it was, so no reader applies it again; the next server to start keeps it aside. A server
      // must not append to it under that old header: it empties it, so the next append starts it afresh.
      this.o.onRepair?.(`${this.file} was written, but ${this.journalFile} could not be removed or moved aside: ${(e as Error).message}`);
      if (this.journaled) this.journalOut.restart();
    }
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
  }

  /**
   * After a server's journal was taken into the table (or found to hold no result): says what it held and
   * disposes of it. Lines that could not be read are lost to the table, so such a journal is not removed but
   * renamed (`<journal>.unreadable-<time>`) for whoever looks into it; if even that fails it stays where it
   * is (its header names the table as it was before, so it is not applied again but kept aside later).
   */
  private retireJournal(o: Overlay): void {
    const said: string[] = [];
    if (o.records.length) said.push(`took ${o.records.length} result(s) that a CAPF server had journaled but not yet written into ${this.file}`);
    if (o.unreadable?.length) {
      const aside = this.asidePath('unreadable');
      let kept: string;
      try {
        fs.renameSync(this.journalFile, aside);
        kept = `kept as ${aside}`;
      } catch (e) {
        kept = `left where it is (it could not be renamed: ${(e as Error).message})`;
      }
      said.push(`skipped ${o.unreadable.length} line(s) of ${this.journalFile} that could not be read (${lineList(o.unreadable)}): their results are lost and those devices keep their earlier status; the journal is ${kept}`);
    } else removeIfPresent(this.journalFile);
    if (o.cutOff) said.push(`ignored an incomplete last line of ${this.journalFile} (a write cut short, or still under way; a result is acknowledged to its phone only once its line is whole on disk)`);
    if (said.length) this.o.onRepair?.(said.join('; '));
  }

  /** Where a journal kept for inspection goes: `<journal>.<why>-<time>`. */
  private asidePath(why: 'unapplied' | 'unreadable'): string {
    return `${this.journalFile}.${why}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  }

  /** Keeps a journal that does not apply to the table under a new name, and says so. */
  private setAside(o: Overlay | undefined): void {
    const aside = this.asidePath('unapplied');
    try {
      fs.renameSync(this.journalFile, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const why = o?.problem ? o.problem : `${this.file} was changed after its ${o?.records.length ?? 0} result(s) were recorded`;
    const lscs = o?.strayLscsRegistered ? `; the ${o.strayLscsRegistered} LSC(s) it recorded are in the register` : '';
    this.o.onRepair?.(`${this.journalFile} was not applied (${why}); it is kept as ${aside}${lscs}`);
  }

  /** The journaled changes not yet in the table file: ours (a server), or those of a journal on disk that applies to it. */
  private pendingRecords(): readonly JournalRecord[] {
    if (this.journaled || this.own.length) return this.own;
    const o = this.overlay;
    return o && !o.problem && o.tableHash === this.base?.hash ? o.records : [];
  }

  private compose(): View {
    const base = this.base as TableFile;
    if (!base.parse.ok) return makeView(base.parse);
    const records = this.pendingRecords();
    if (records.length === 0) return makeView(base.parse);
    const table = { devices: base.parse.table.devices.slice() };
    const index = indexOf(table);
    if (records === this.own) this.layOwnResults(table, index);
    else applyRecords(table, records, index);
    return makeView({ ok: true, table }, index);
  }

  /**
   * Our journaled results over a table file that may have been written by someone else since our last
   * checkpoint (the CLI, an editor). A device's latest result applies when the file still holds a version of
   * its entry this server knew: the one its first result replaced, or one of its results (the writer saw them
   * laid over). An entry changed to anything else (or removed) was edited after our result: the file's entry
   * is kept, and said so when it lost our result's status. The LSCs of every result are registered at the
   * checkpoint either way.
   */
  private layOwnResults(table: DeviceTable, index: Map<string, number>): void {
    const known = new Map<string, Set<string> | undefined>();
    const latest = new Map<string, JournalRecord>();
    for (const r of this.own) {
      const name = r.entry.name;
      if (!known.has(name)) {
        const replaced = this.replaced.get(r);
        known.set(name, replaced === undefined ? undefined : new Set([replaced ? serializeEntry(replaced) : ABSENT]));
      }
      known.get(name)?.add(serializeEntry(r.entry));
      latest.set(name, r);
    }
    const kept: string[] = [];
    for (const [name, r] of latest) {
      const i = index.get(name);
      const versions = known.get(name);
      if (versions && !versions.has(i === undefined ? ABSENT : serializeEntry(table.devices[i]))) {
        // said only when the file's entry does not carry our result's status (a writer that saw the result
        // and scheduled the next operation is the normal case, not news)
        if (i === undefined || table.devices[i].certificateOperationStatus !== r.entry.certificateOperationStatus) kept.push(name);
        continue;
      }
      if (i !== undefined) table.devices[i] = r.entry;
      else if (r.add || versions) index.set(name, table.devices.push(r.entry) - 1);
    }
    if (kept.length) {
      this.o.onRepair?.(`${kept.join(', ')} changed in ${this.file} after this server recorded a result for ${kept.length === 1 ? 'it' : 'them'}: the file's ${kept.length === 1 ? 'entry is' : 'entries are'} kept (any LSC issued stays in the register)`);
    }
  }
}

/** Where each device's entry is in the table. */
interface NameIndex {
  get(name: string): number | undefined;
  set(name: string, i: number): unknown;
}

/** Applies one entry change to `table` (keeping `index` right); the journal record of it, and the entry it replaced (null: none). */
function applyEntryChange(table: DeviceTable, index: NameIndex, c: EntryChange): { record: JournalRecord; replaced: DeviceEntry | null } {
  const i = index.get(c.name);
  const replaced = i === undefined ? null : table.devices[i];
  if ('put' in c) {
    const entry = c.put; // the store's own copy (upsert)
    if (i === undefined) index.set(entry.name, table.devices.push(entry) - 1);
    else table.devices[i] = entry;
    return { record: { entry, add: true }, replaced };
  }
  if (i === undefined && !c.create) throw new DeviceTableError(`${c.name} is not in the device table`);
  const entry = i === undefined ? newDeviceEntry(c.name) : copyDeviceEntry(table.devices[i]);
  c.edit(entry); // on a throw the table is untouched
  if (i === undefined) index.set(entry.name, table.devices.push(entry) - 1);
  else table.devices[i] = entry;
  return { record: { entry, add: !!c.create }, replaced };
}

/** "line 3", "lines 3, 7 and 9", "lines 3, 7, 9 … (12 in all)" */
function lineList(lines: number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`;
  if (lines.length <= 5) return `lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}`;
  return `lines ${lines.slice(0, 5).join(', ')} … (${lines.length} in all)`;
}

/** The text of an entry that is not in the table (an entry's own text always starts with spaces). */
const ABSENT = '-';

const noRegister = () => new DeviceTableError('this device table has no LSC register to record an issued LSC in');

const copyTable = (t: DeviceTable): DeviceTable => ({ devices: t.devices.map(copyDeviceEntry) });

function indexOf(table: DeviceTable): Map<string, number> {
  return new Map(table.devices.map((d, i) => [d.name, i]));
}

function makeView(parse: TableParse, index?: Map<string, number>): View {
  return { parse, index: index ?? (parse.ok ? indexOf(parse.table) : new Map()) };
}

async function loadTable(file: string, key: string): Promise<TableFile> {
  if (key === '') return { key, parse: { ok: true, table: { devices: [] } }, hash: '' };
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    return { key: '?', parse: { ok: false, problems: [{ path: '$', message: `cannot read ${file}: ${(e as Error).message}` }] }, hash: '?' };
  }
  return { key, parse: parseDeviceTable(bytes.toString('utf8')), hash: tableHash(bytes) };
}

async function loadOverlay(file: string, key: string): Promise<Overlay> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    return { key: '?', tableHash: undefined, records: [], problem: `cannot read it: ${(e as Error).message}` };
  }
  const j = parseJournal(text);
  if (!j.ok) return { key, tableHash: undefined, records: [], problem: j.problem, headerless: !text.includes('\n') };
  return { key, tableHash: j.tableHash, records: j.records, unreadable: j.unreadable, cutOff: j.cutOff };
}

/** A file's identity and version ('' when it does not exist); a stat is metadata only, microseconds done synchronously. */
function statKey(file: string): string | { error: string } {
  let st: Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    return { error: (e as Error).message };
  }
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

function removeIfPresent(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
