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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // it exists, under another user
  }
}

/** Tables a store of this process claimed and has not released (a marker of ours not listed here is stale). */
const claimedHere = new Set<string>();

/**
 * The server serving `tableFile` now, if any. A marker written on another host is taken as live (its process
 * cannot be checked from here): the safe side, since a live server's journal is only laid over, never lost.
 */
export function liveOwner(tableFile: string): TableOwner | undefined {
  const o = readOwner(tableFile);
  if (!o) return undefined;
  if (o.host !== os.hostname()) return o;
  if (o.pid === process.pid) return claimedHere.has(path.resolve(tableFile)) ? o : undefined;
  return alive(o.pid) ? o : undefined;
}

/** "CAPF server process 1234 (started 2026-11-27T12:00:00.000Z)", with the host when it is not this one. */
export function describeOwner(o: TableOwner): string {
  return `CAPF server process ${o.pid}${o.host === os.hostname() ? '' : ` on ${o.host}`} (started ${o.startedAt})`;
}

/** Marks this process as the table's server; the caller checked that no other live server holds it. */
export function claimTable(tableFile: string, startedAt: Date): void {
  claimedHere.add(path.resolve(tableFile));
  writeFileAtomic(ownerPathFor(tableFile), `${JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: startedAt.toISOString() })}\n`);
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
