/** What a line of a decoded view (or a line of a PEM file) describes, in terms of the decoded model. */
import { TlvElement, TlvProblem, TrustList } from '../../core/tlv/model';
import { RenderedView } from '../../views/viewModel';
import { DecodedCertificateEntry, DecodedCertificateFile, DecodedFile, DecodedRecord, DecodedTrustList } from '../../workspace/indexedFile';

export type LineSubject =
  | { kind: 'file'; file: DecodedTrustList }
  | { kind: 'problem'; file: DecodedTrustList; problem: TlvProblem }
  | { kind: 'header'; file: DecodedTrustList; element?: TlvElement }
  | { kind: 'record'; file: DecodedTrustList; record: DecodedRecord; element?: TlvElement }
  | { kind: 'certificate-file'; file: DecodedCertificateFile }
  | { kind: 'certificate'; file: DecodedCertificateFile; entry: DecodedCertificateEntry; field?: string };

/**
 * Every element of a decoded list by its offset (unique in a file: the decoder only moves forward), with its
 * section (0 = header, else the record number). Made once per list, so that finding the element of each line of
 * a view (the outline asks for all of them) takes constant time, not a walk of the header or record.
 */
const elementsByOffset = new WeakMap<TrustList, Map<number, { element: TlvElement; section: number }>>();

function elementAt(list: TrustList, section: number, offset: number, tag: number): TlvElement | undefined {
  let map = elementsByOffset.get(list);
  if (!map) {
    const byOffset = new Map<number, { element: TlvElement; section: number }>();
    const add = (elements: TlvElement[], s: number): void => {
      for (const element of elements) {
        if (!byOffset.has(element.offset)) byOffset.set(element.offset, { element, section: s });
        if (element.children) add(element.children, s);
      }
    };
    add(list.header.elements, 0);
    for (const r of list.records) add(r.elements, r.index);
    elementsByOffset.set(list, byOffset);
    map = byOffset;
  }
  const found = map.get(offset);
  return found && found.section === section && found.element.tag === tag ? found.element : undefined;
}

export function subjectOfViewLine(file: DecodedFile, view: RenderedView, line: number): LineSubject | undefined {
  const l = view.lines[line];
  if (!l || l.kind === 'blank') return undefined;
  if (file.kind === 'certificate') {
    const entry = l.section !== undefined ? file.certificates[l.section - 1] : undefined;
    return entry ? { kind: 'certificate', file, entry, field: l.field } : { kind: 'certificate-file', file };
  }
  if (l.kind === 'problem') {
    const problem = file.list.problems.find((p) => l.range && p.range.start === l.range.start && p.range.end === l.range.end && l.text.includes(`[${p.code}]`));
    return problem ? { kind: 'problem', file, problem } : { kind: 'file', file };
  }
  if (l.section === 0) {
    const element = l.range && l.tag !== undefined ? elementAt(file.list, 0, l.range.start, l.tag) : undefined;
    return { kind: 'header', file, element };
  }
  if (l.section !== undefined) {
    const record = file.records[l.section - 1];
    if (!record) return { kind: 'file', file };
    const element = l.range && l.tag !== undefined ? elementAt(file.list, l.section, l.range.start, l.tag) : undefined;
    return { kind: 'record', file, record, element };
  }
  if (l.kind === 'section' && l.range && l.range.start === file.list.header.range.start && l.range.end === file.list.header.range.end) return { kind: 'header', file };
  return { kind: 'file', file };
}

/** The certificate of a PEM file whose block covers `line`. */
export function subjectOfPemLine(file: DecodedCertificateFile, line: number): LineSubject | undefined {
  const entry = file.certificates.find((c) => c.pem && line >= c.pem.startLine && line <= c.pem.endLine);
  return entry ? { kind: 'certificate', file, entry } : undefined;
}
