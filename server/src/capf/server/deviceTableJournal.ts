/**
 * The device table's journal, `capf-devices.journal` beside `capf-devices.json`.
 *
 * While the CAPF server runs, the results of its sessions are not written by rewriting the whole table: each
 * group-committed batch appends one line per changed entry here (one write, one fdatasync), an issued LSC
 * inside the line of the entry that records it, so that one flush to disk makes both durable. At most once a
 * second (a checkpoint) the LSCs go to the register (issued/issued-lscs.pem) and the table is rewritten from
 * memory; then the journal is removed. On the 2-core benchmark machine a flush to disk costs far more than
 * its bytes (thread-pool hand-offs, VM exits, journal commits), so one per batch instead of a table rewrite
 * and a register append each is worth a tenth of the server's throughput (docs/capf-lab.md#throughput).
 *
 * Every reader lays the journal over the table (DeviceTableStore.read), so what any process sees is current,
 * and a journal left by a crash is taken into the table by the next server that starts on the folder.
 *
 *   line 1   {"journal":"capf-devices","version":1,"table":"<SHA-256 of the table file's bytes, or '' for no file>"}
 *   then     {"entry":{ …the whole device entry after the change… },"add":false[,"lsc":{"serialNumber":…,"issuedAt":…,"der":"<base64>"}]}
 *
 * A journal applies only to the table file it names by hash: if the table was changed since (an editor, the
 * CLI), its lines are not laid over it. A last line without its newline (a write cut short) is ignored; a
 * whole line that is not a valid record is skipped; parseJournal says which, and whoever takes the journal
 * into the table (a starting server, or a write without a server) reports both (DeviceTableStore.retireJournal).
 */
import { createHash } from 'node:crypto';
import { DeviceEntry, DeviceTable, validateDeviceEntry } from './deviceTable';
import { RegisteredLsc } from './lscRegister';

export const JOURNAL_KIND = 'capf-devices';
export const JOURNAL_VERSION = 1;

/** One changed entry: the whole entry after the change; `add` when it may be added (upsert), not only replaced. */
export interface JournalRecord {
  entry: DeviceEntry;
  add: boolean;
  /** the LSC this change records as issued (the register receives it at the checkpoint) */
  lsc?: RegisteredLsc;
}

export type ParsedJournal =
  | {
      ok: true;
      tableHash: string;
      records: JournalRecord[];
      /** line numbers (from 1) of whole lines that are not a valid record: skipped, never applied */
      unreadable: number[];
      /** bytes after the last line break: a write cut short, ignored */
      cutOff: boolean;
    }
  | { ok: false; problem: string };

const SERIAL = /^[0-9A-F]{2}(:[0-9A-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The journal's path for a table path: the extension replaced (capf-devices.json → capf-devices.journal). */
export function journalPathFor(tableFile: string): string {
  return tableFile.replace(/\.json$/i, '') + '.journal';
}

/** SHA-256 (hex) of the table file's bytes (as one buffer or as the pieces it is written from). */
export function tableHash(bytes: Buffer | readonly Buffer[]): string {
  const h = createHash('sha256');
  if (Buffer.isBuffer(bytes)) h.update(bytes);
  else for (const b of bytes) h.update(b);
  return h.digest('hex');
}

export function journalHeader(hash: string): Buffer {
  return Buffer.from(`${JSON.stringify({ journal: JOURNAL_KIND, version: JOURNAL_VERSION, table: hash })}\n`);
}

export function journalLines(records: readonly JournalRecord[]): Buffer {
  let text = '';
  for (const r of records) {
    const lsc = r.lsc && { serialNumber: r.lsc.serialNumber, issuedAt: r.lsc.issuedAt, der: r.lsc.der.toString('base64') };
    text += `${JSON.stringify(lsc ? { entry: r.entry, add: r.add, lsc } : { entry: r.entry, add: r.add })}\n`;
  }
  return Buffer.from(text);
}

/** Parses a journal's text. Lines that are not valid entries are skipped, never applied, and listed. */
export function parseJournal(text: string): ParsedJournal {
  const end = text.lastIndexOf('\n');
  const cutOff = end < text.length - 1;
  const lines = end < 0 ? [] : text.slice(0, end).split('\n');
  if (lines.length === 0) return { ok: false, problem: 'the journal has no complete header line' };
  let header: unknown;
  try {
    header = JSON.parse(lines[0]);
  } catch {
    return { ok: false, problem: 'the journal header is not JSON' };
  }
  const h = header as { journal?: unknown; version?: unknown; table?: unknown };
  if (h?.journal !== JOURNAL_KIND || h.version !== JOURNAL_VERSION || typeof h.table !== 'string') {
    return { ok: false, problem: `not a version-${JOURNAL_VERSION} device table journal` };
  }
  const records: JournalRecord[] = [];
  const unreadable: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    let raw: { entry?: unknown; add?: unknown; lsc?: { serialNumber?: unknown; issuedAt?: unknown; der?: unknown } };
    try {
      raw = JSON.parse(lines[i]);
    } catch {
      unreadable.push(i + 1);
      continue;
    }
    const entry = validateDeviceEntry(raw?.entry, `journal line ${i + 1}`, []); // the line is reported by number, not field by field
    if (!entry) {
      unreadable.push(i + 1);
      continue;
    }
    const l = raw.lsc;
    if (l === undefined) {
      records.push({ entry, add: raw.add === true });
      continue;
    }
    const der = typeof l?.der === 'string' && BASE64.test(l.der) ? Buffer.from(l.der, 'base64') : undefined;
    if (typeof l?.serialNumber !== 'string' || !SERIAL.test(l.serialNumber) || typeof l.issuedAt !== 'string' || Number.isNaN(Date.parse(l.issuedAt)) || !der?.length) {
      unreadable.push(i + 1);
      continue;
    }
    records.push({ entry, add: raw.add === true, lsc: { device: entry.name, serialNumber: l.serialNumber, issuedAt: l.issuedAt, der } });
  }
  return { ok: true, tableHash: h.table, records, unreadable, cutOff };
}

/**
 * Applies records in order: each replaces the entry of its name; an `add` record is appended when its device
 * is not listed, any other is dropped then (the device was removed from the table since).
 */
export function applyRecords(table: DeviceTable, records: readonly JournalRecord[], index: Map<string, number>): void {
  for (const r of records) {
    const i = index.get(r.entry.name);
    if (i !== undefined) table.devices[i] = r.entry;
    else if (r.add) index.set(r.entry.name, table.devices.push(r.entry) - 1);
  }
}
