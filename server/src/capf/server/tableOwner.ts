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
import { writeFileAtomic } from '../../core/fs/atomicWrite';
import { syncDirSync } from '../../core/fs/atomicWriteAsync';

export interface TableOwner {
  pid: number;
  host: string;
  /** ISO time the server started journaling */
  startedAt: string;
}

/** The marker's path for a table path: capf-devices.json → capf-devices.server. */
export function ownerPathFor(tableFile: string): string {
  return tableFile.replace(/\.json$/i, '') + '.server';
}

/** The marker as written, or undefined when there is none or it cannot be read (a torn marker names nobody). */
function readOwner(tableFile: string): TableOwner | undefined {
  let text: string;
  try {
    text = fs.readFileSync(ownerPathFor(tableFile), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const o = JSON.parse(text) as Partial<TableOwner>;
    if (typeof o.pid === 'number' && Number.isInteger(o.pid) && o.pid > 0 && typeof o.host === 'string' && typeof o.startedAt === 'string') {
      return { pid: o.pid, host: o.host, startedAt: o.startedAt };
    }
  } catch {
    /* not JSON */
  }
  return undefined;
}

function alive(pid: number, claimedAt: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false; // (EPERM: it exists, under another user)
  }
  // A process id is reused after its process ends: on Linux, a process that started after the marker was
  // written is not the server that wrote it.
  const started = linuxStartTime(pid);
  return started === undefined || started <= Date.parse(claimedAt) + 1000;
}

/** When process `pid` started (ms since the epoch), where /proc tells; undefined elsewhere. */
function linuxStartTime(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]); // field 22, starttime
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(btime)) return undefined;
    return btime * 1000 + (ticks / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux that Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Tables a store of this process claimed and has not released (a marker of ours not listed here is stale). */
const claimedHere = new Set<string>();

/**
 * The server serving `tableFile` now, if any. A marker written on another host is taken as live (its process
 * cannot be checked from here): the safe side, since a live server's journal is then laid over, never taken
 * in or moved; the refusal message says to delete the marker if no such server runs.
 */
export function liveOwner(tableFile: string): TableOwner | undefined {
  const o = readOwner(tableFile);
  if (!o) return undefined;
  if (o.host !== os.hostname()) return o;
  if (o.pid === process.pid) return claimedHere.has(path.resolve(tableFile)) ? o : undefined;
  return alive(o.pid, o.startedAt) ? o : undefined;
}

/** "CAPF server process 1234 (started 2026-11-27T12:00:00.000Z)", with the host when it is not this one. */
export function describeOwner(o: TableOwner): string {
  return `CAPF server process ${o.pid}${o.host === os.hostname() ? '' : ` on ${o.host}`} (started ${o.startedAt})`;
}

/**
 * Marks this process as the table's server. The marker is created exclusively, so that of two servers
 * starting at the same moment only one gets the table; a stale marker (its process gone) is replaced.
 * Throws when another live server holds the table.
 */
export function claimTable(tableFile: string, startedAt: Date): void {
  const file = ownerPathFor(tableFile);
  const text = `${JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: startedAt.toISOString() })}\n`;
  try {
    const fd = fs.openSync(file, 'wx', 0o644);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    syncDirSync(path.dirname(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const other = liveOwner(tableFile);
    if (other) throw new Error(ownerConflict(tableFile, other));
    writeFileAtomic(file, text);
  }
  claimedHere.add(path.resolve(tableFile));
}

/** Why a second server cannot serve the table, and what to do. */
export function ownerConflict(tableFile: string, o: TableOwner): string {
  return `${tableFile} is served by another ${describeOwner(o)}: stop that server first, or give this one its own lab folder (if no such server runs, delete ${ownerPathFor(tableFile)})`;
}

/** Removes the marker if it is this process's. */
export function releaseTable(tableFile: string): void {
  claimedHere.delete(path.resolve(tableFile));
  const o = readOwner(tableFile);
  if (!o || o.pid !== process.pid || o.host !== os.hostname()) return;
  try {
    fs.unlinkSync(ownerPathFor(tableFile));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
