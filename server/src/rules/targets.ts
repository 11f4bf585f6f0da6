/** Builds diagnostic targets that point at elements of a decoded trust list. */
import { findElement, recordCommonName } from '../core/tlv/model';
import { RecordOutline, TrustListOutline } from '../workspace/indexedFile';
import { DiagnosticTarget } from './ruleDiagnostic';

/** The header element with `tag`, else the whole header. */
export function headerTarget(list: TrustListOutline, tag: number): DiagnosticTarget {
  const e = findElement(list.header.elements, tag);
  return e ? { in: 'trust-list', range: e.range, section: 0, tag } : { in: 'trust-list', range: list.header.range, section: 0 };
}

/** The first of `tags` the record holds, else the record itself. */
export function recordTarget(record: RecordOutline, ...tags: number[]): DiagnosticTarget {
  for (const tag of tags) {
    const e = record.elements.find((x) => x.tag === tag);
    if (e) return { in: 'trust-list', range: e.range, section: record.index, tag };
  }
  return { in: 'trust-list', range: record.range, section: record.index };
}

/** The view's summary line ("Length of ITL file: … bytes, … records"). */
export function summaryTarget(list: TrustListOutline): DiagnosticTarget {
  return { in: 'trust-list', range: { start: 0, end: list.size }, line: 'summary' };
}

/** "record #3 (TFTP ao115sub)": how messages name a record. */
export function recordLabel(record: RecordOutline): string {
  const role = record.roleName === 'System Administrator Security Token' ? 'SAST' : record.roleName ?? 'no FUNCTION';
  const cn = recordCommonName(record);
  return `record #${record.index} (${role}${cn ? ` ${cn}` : ''})`;
}

/** The text with its first character upper-cased: a record label at the start of a sentence. */
export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The kind word messages use: "ITL", "CTL" or "trust list". */
export function listWord(list: TrustListOutline): string {
  return list.kind === 'TLV' ? 'trust list' : list.kind;
}
