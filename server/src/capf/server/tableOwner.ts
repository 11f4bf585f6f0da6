/**
 * Which CAPF server serves a device table. While it journals (deviceTableStore.ts `startJournal`), a server
 * keeps `<table>.server` beside the table: its process id, host and start time. Every other process (the CLI,
 * the extension, a second server) reads the table with that server's journal laid over, but while the server
 * lives it must not take the journal into the table, move it or register its LSCs (the server does that at
 * its checkpoint, and may be appending to both files at that moment), and a second server must not start on
 * the same table. A marker whose process is gone is a server that crashed: its journal is taken in as before.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeAllSync } from '../../core/fs/atomicWrite';
import { syncDirSync } from '../../core/fs/atomicWriteAsync';
import { randomBytes } from 'node:crypto';

export interface TableOwner {
  pid: number;
  host: string;
  /** ISO time the server started journaling */
  startedAt: string;
  /** on Linux, the process's start time in clock ticks since boot: tells a reused process id apart */
  procStart?: number;
}

/** The marker's path for a table path: capf-devices.json → capf-devices.server. */
export function ownerPathFor(tableFile: string): string {
  return tableFile.replace(/\.json$/i, '') + '.server';
}

/** The marker as written, or undefined when there is none or it cannot be read. */
function readOwner(tableFile: string): { owner?: TableOwner; text?: string } {
  let text: string;
  try {
    text = fs.readFileSync(ownerPathFor(tableFile), 'utf8');
  } catch {
    return {};
  }
  try {
    const o = JSON.parse(text) as Partial<TableOwner>;
    if (typeof o.pid === 'number' && Number.isInteger(o.pid) && o.pid > 0 && typeof o.host === 'string' && typeof o.startedAt === 'string') {
      return { owner: { pid: o.pid, host: o.host, startedAt: o.startedAt, procStart: typeof o.procStart === 'number' ? o.procStart : undefined }, text };
    }
  } catch {
    /* not JSON: damage, or (without hard links) a marker being written this instant: it names nobody */
  }
  return { text };
}

function alive(o: TableOwner): boolean {
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false; // (EPERM: it exists, under another user)
  }
  // a process id is reused after its process ends: on Linux the start time tells the processes apart
  if (o.procStart === undefined) return true;
  const now = linuxStartTicks(o.pid);
  return now === undefined || now === o.procStart;
}

/** Process `pid`'s start time in clock ticks since boot (field 22 of /proc/<pid>/stat), where /proc tells. */
function linuxStartTicks(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]); // after "pid (comm) ", field 3 is index 0
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Tables a store of this process claimed and has not released (a marker of ours not listed here is stale). */
const claimedHere = new Set<string>();

/**
 * The server serving `tableFile` now, if any. A marker written on another host is taken as live (its process
 * cannot be checked from here): the safe side, since a live server's journal is then laid over, never taken
 * in or moved; the refusal message says to delete the marker if no such server runs.
 */
export function liveOwner(tableFile: string): TableOwner | undefined {
  const { owner } = readOwner(tableFile);
  return owner && isLive(tableFile, owner) ? owner : undefined;
}

function isLive(tableFile: string, o: TableOwner): boolean {
  if (o.host !== os.hostname()) return true;
  if (o.pid === process.pid) return claimedHere.has(path.resolve(tableFile));
  return alive(o);
}

/** "CAPF server process 1234 (started 2026-11-27T12:00:00.000Z)", with the host when it is not this one. */
export function describeOwner(o: TableOwner): string {
  return `CAPF server process ${o.pid}${o.host === os.hostname() ? '' : ` on ${o.host}`} (started ${o.startedAt})`;
}

/**
 * Marks this process as the table's server. The marker is written whole to a temporary file and linked to
 * its name, which fails if the name exists: of two servers starting at the same moment only one gets the
 * table, and no one ever reads a half-written marker. A stale marker (its process gone) is removed first, if
 * it is still the same one. Throws when another live server holds the table.
 */
export function claimTable(tableFile: string, startedAt: Date): void {
  const file = ownerPathFor(tableFile);
  const text = `${JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: startedAt.toISOString(), procStart: linuxStartTicks(process.pid) })}\n`;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    createSynced(tmp, text); // a private name: it only has to be whole on disk before it is linked
    for (let attempt = 0; ; attempt++) {
      try {
        linkOrCreate(tmp, file, text);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw e;
      }
      const seen = readOwner(tableFile);
      if (seen.owner && isLive(tableFile, seen.owner)) throw new Error(ownerConflict(tableFile, seen.owner));
      // stale: remove it if it is still the marker we judged (another server may have replaced it meanwhile)
      try {
        if (fs.readFileSync(file, 'utf8') === seen.text) fs.unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    try {
      syncDirSync(path.dirname(file));
    } catch (e) {
      fs.rmSync(file, { force: true });
      throw e;
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  claimedHere.add(path.resolve(tableFile));
}

/** Gives `tmp`'s whole contents the name `file` unless it exists (EEXIST); without hard links, creates it exclusively. */
function linkOrCreate(tmp: string, file: string, text: string): void {
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') throw e;
    // no hard links here (FAT, exFAT, some shares; Windows reports them as EISDIR or EACCES): an exclusive
    // create, which another server may read half-written for a moment
    createSynced(file, text);
  }
}

/** Creates `file` (failing with EEXIST if it exists), writes `text` and flushes it. */
function createSynced(file: string, text: string): void {
  const fd = fs.openSync(file, 'wx', 0o644);
  try {
    writeAllSync(fd, Buffer.from(text));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Why a second server cannot serve the table, and what to do. */
export function ownerConflict(tableFile: string, o: TableOwner): string {
  return `${tableFile} is served by another ${describeOwner(o)}: stop that server first, or give this one its own lab folder (if no such server runs, delete ${ownerPathFor(tableFile)})`;
}

/** Removes the marker if it is this process's. */
export function releaseTable(tableFile: string): void {
  claimedHere.delete(path.resolve(tableFile));
  const { owner: o } = readOwner(tableFile);
  if (!o || o.pid !== process.pid || o.host !== os.hostname()) return;
  try {
    fs.unlinkSync(ownerPathFor(tableFile));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
