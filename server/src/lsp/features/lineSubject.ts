/** What a line of a decoded view (or a line of a PEM file) describes, in terms of the decoded model. */
import { TlvElement, TlvProblem } from '../../core/tlv/model';
import { RenderedView } from '../../views/viewModel';
import { DecodedCertificateEntry, DecodedCertificateFile, DecodedFile, DecodedRecord, DecodedTrustList } from '../../workspace/indexedFile';

export type LineSubject =
  | { kind: 'file'; file: DecodedTrustList }
  | { kind: 'problem'; file: DecodedTrustList; problem: TlvProblem }
  | { kind: 'header'; file: DecodedTrustList; element?: TlvElement }
  | { kind: 'record'; file: DecodedTrustList; record: DecodedRecord; element?: TlvElement }
  | { kind: 'certificate-file'; file: DecodedCertificateFile }
  | { kind: 'certificate'; file: DecodedCertificateFile; entry: DecodedCertificateEntry; field?: string };

function walk(elements: TlvElement[]): TlvElement[] {
  return elements.flatMap((e) => [e, ...(e.children ? walk(e.children) : [])]);
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
    const element = l.range && l.tag !== undefined ? walk(file.list.header.elements).find((e) => e.offset === l.range!.start && e.tag === l.tag) : undefined;
    return { kind: 'header', file, element };
  }
  if (l.section !== undefined) {
    const record = file.records[l.section - 1];
    if (!record) return { kind: 'file', file };
    const element = l.range && l.tag !== undefined ? record.record.elements.find((e) => e.offset === l.range!.start && e.tag === l.tag) : undefined;
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
