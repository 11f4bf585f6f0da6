/**
 * The device table's journal, `capf-devices.journal` beside `capf-devices.json`.
 *
 * While the CAPF server runs, the results of its sessions are not written by rewriting the whole table: each
 * group-committed batch appends one line per changed entry here (one write, one fdatasync), and the table is
 * rewritten from memory at most once a second (a checkpoint), after which the journal is removed. Rewriting
 * a 400-entry table per batch cost the server more than a fifth of its throughput on the benchmark machine
 * (docs/capf-lab.md#throughput); an append costs a few hundred bytes.
 *
 * Every reader lays the journal over the table (DeviceTableStore.read), so what any process sees is current,
 * and a journal left by a crash is taken into the table by the next server that starts on the folder.
 *
 *   line 1   {"journal":"capf-devices","version":1,"table":"<SHA-256 of the table file's bytes, or '' for no file>"}
 *   then     {"entry":{ …the whole device entry after the change… },"add":false}
 *
 * A journal applies only to the table file it names by hash: if the table was changed since (an editor, the
 * CLI), its lines are not laid over it. A last line without its newline (a write cut short) is ignored.
 */
import { createHash } from 'node:crypto';
import { DeviceEntry, DeviceTable, TableProblem, validateDeviceEntry } from './deviceTable';

export const JOURNAL_KIND = 'capf-devices';
export const JOURNAL_VERSION = 1;

/** One changed entry: the whole entry after the change; `add` when it may be added (upsert), not only replaced. */
export interface JournalRecord {
  entry: DeviceEntry;
  add: boolean;
}

export type ParsedJournal =
  | { ok: true; tableHash: string; records: JournalRecord[]; problems: TableProblem[] }
  | { ok: false; problem: string };

/** The journal's path for a table path: the extension replaced (capf-devices.json → capf-devices.journal). */
export function journalPathFor(tableFile: string): string {
  return tableFile.replace(/\.json$/i, '') + '.journal';
}

/** SHA-256 (hex) of the table file's bytes, '' when there is no file. */
export function tableHash(bytes: Buffer | readonly Buffer[] | undefined): string {
  if (bytes === undefined) return '';
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
  for (const r of records) text += `${JSON.stringify({ entry: r.entry, add: r.add })}\n`;
  return Buffer.from(text);
}

/** Parses a journal's text. Lines that are not valid entries are reported and skipped, never applied. */
export function parseJournal(text: string): ParsedJournal {
  const end = text.lastIndexOf('\n');
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
  const problems: TableProblem[] = [];
  for (let i = 1; i < lines.length; i++) {
    const where = `journal line ${i + 1}`;
    let raw: { entry?: unknown; add?: unknown };
    try {
      raw = JSON.parse(lines[i]);
    } catch {
      problems.push({ path: where, message: 'not JSON' });
      continue;
    }
    const entry = validateDeviceEntry(raw?.entry, where, problems);
    if (entry) records.push({ entry, add: raw.add === true });
  }
  return { ok: true, tableHash: h.table, records, problems };
}

/**
 * Applies records in order: each replaces the entry of its name; an `add` record is appended when its device
 * is not listed, any other is dropped then (the device was removed from the table since).
 */
export function applyRecords(table: DeviceTable, records: readonly JournalRecord[], index?: Map<string, number>): void {
  const at = index ?? new Map(table.devices.map((d, i) => [d.name, i]));
  for (const r of records) {
    const i = at.get(r.entry.name);
    if (i !== undefined) table.devices[i] = r.entry;
    else if (r.add) at.set(r.entry.name, table.devices.push(r.entry) - 1);
  }
}
