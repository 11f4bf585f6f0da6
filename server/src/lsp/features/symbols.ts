/** Outline: header and records of a trust-list view, certificates of a certificate view or PEM bundle. */
import { DocumentSymbol, Range, SymbolKind } from 'vscode-languageserver-protocol';
import { CertificateField, DecodedCertificate } from '../../core/cert/model';
import { recordCommonName } from '../../core/tlv/model';
import { ROLE_SHORT_NAMES } from '../../core/tlv/tags';
import { RenderedView, ViewSection } from '../../views/viewModel';
import { DecodedFile, IndexedRecord } from '../../workspace/indexedFile';
import { ResolvedDocument } from '../workspaceSession';
import { lineRange } from './featureContext';
import { subjectOfViewLine } from './lineSubject';
import { elementValueText } from '../../views/trustListView';

function sectionRange(view: RenderedView, s: ViewSection): Range {
  const end = view.lines[s.endLine]?.text.length ?? 0;
  return Range.create(s.startLine, 0, s.endLine, end);
}

/** "#1 CAPF CAPF-7f0ae8d7": records are named by role and CN. */
export function recordSymbolName(r: IndexedRecord): string {
  const role = r.record.role !== undefined ? ROLE_SHORT_NAMES[r.record.role] ?? `role ${r.record.role}` : 'no FUNCTION';
  const cn = recordCommonName(r.record);
  return `#${r.record.index} ${role}${cn ? ` ${cn}` : ''}`;
}

/** Each element (trust list) or field (certificate) line of a section becomes a child symbol. */
function children(file: DecodedFile, view: RenderedView, s: ViewSection): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (let i = s.startLine; i <= s.endLine; i++) {
    if (view.lines[i].kind !== 'element') continue;
    const named = elementName(file, view, i);
    if (named) out.push(DocumentSymbol.create(named.name, named.detail || undefined, SymbolKind.Field, lineRange(view, i), lineRange(view, i)));
  }
  return out;
}

/** A certificate's fields by path (the first of each), made once per certificate: the outline names every field line. */
const fieldsByPath = new WeakMap<DecodedCertificate, Map<string, CertificateField>>();

function fieldAt(cert: DecodedCertificate, path: string): CertificateField | undefined {
  let map = fieldsByPath.get(cert);
  if (!map) {
    map = new Map();
    for (const f of cert.fields) if (!map.has(f.path)) map.set(f.path, f);
    fieldsByPath.set(cert, map);
  }
  return map.get(path);
}

function elementName(file: DecodedFile, view: RenderedView, line: number): { name: string; detail: string } | undefined {
  const s = subjectOfViewLine(file, view, line);
  if ((s?.kind === 'header' || s?.kind === 'record') && s.element) return { name: s.element.name, detail: elementValueText(s.element, s.kind) };
  if (s?.kind === 'certificate' && s.field) {
    const f = s.entry.certificate && fieldAt(s.entry.certificate, s.field);
    if (f) return { name: f.label, detail: f.text };
  }
  return undefined;
}

function viewSymbols(file: DecodedFile, view: RenderedView): DocumentSymbol[] {
  return view.sections.map((s) => {
    const range = sectionRange(view, s);
    const selection = lineRange(view, s.startLine);
    if (file.kind === 'trust-list' && s.kind === 'record') {
      const r = file.records[s.index - 1];
      return DocumentSymbol.create(r ? recordSymbolName(r) : s.name, r?.record.subject, SymbolKind.Struct, range, selection, children(file, view, s));
    }
    if (s.kind === 'header') return DocumentSymbol.create('Header', s.detail, SymbolKind.Namespace, range, selection, children(file, view, s));
    return DocumentSymbol.create(s.name, s.detail, SymbolKind.Object, range, selection, children(file, view, s));
  });
}

function pemSymbols(doc: Extract<ResolvedDocument, { kind: 'pem' }>): DocumentSymbol[] {
  const blocks = [
    ...doc.file.certificates.filter((c) => c.pem).map((c) => ({ pem: c.pem!, name: certificateName(c.index, c.certificate?.subject.attributes.find((a) => a.name === 'CN')?.value), detail: c.certificate?.subject.rfc4514 ?? 'unreadable' })),
    ...doc.file.file.otherBlocks.map((b) => ({ pem: b, name: b.label, detail: undefined as string | undefined })),
  ].sort((a, b) => a.pem.start - b.pem.start);
  return blocks.map(({ pem, name, detail }) => {
    const range = Range.create(pem.range.start, pem.range.end);
    const first = pem.range.start;
    const selection = Range.create(first, { line: first.line, character: first.character + `-----BEGIN ${pem.label}-----`.length });
    return DocumentSymbol.create(name, detail, pem.label.includes('KEY') ? SymbolKind.Key : SymbolKind.Object, range, selection);
  });
}

function certificateName(index: number, cn: string | undefined): string {
  return `Certificate #${index + 1}${cn ? ` ${cn}` : ''}`;
}

export function documentSymbols(doc: ResolvedDocument): DocumentSymbol[] {
  return doc.kind === 'pem' ? pemSymbols(doc) : viewSymbols(doc.file, doc.view);
}

/**
 * The outline of a signed file's view (views/signedFileView.ts): its header, its payload, and the payload's XML
 * elements (two levels deep) inside the payload.
 */
export function signedFileSymbols(view: RenderedView): DocumentSymbol[] {
  const elements = view.sections.filter((s) => s.kind === 'element');
  return view.sections
    .filter((s) => s.kind !== 'element')
    .map((s) => {
      const inner = s.kind === 'header' ? [] : elements.filter((e) => e.startLine >= s.startLine && e.startLine <= s.endLine);
      const kids = inner.map((e) => DocumentSymbol.create(e.name, e.detail, SymbolKind.Field, sectionRange(view, e), lineRange(view, e.startLine)));
      return DocumentSymbol.create(s.name, s.detail, s.kind === 'header' ? SymbolKind.Namespace : SymbolKind.Object, sectionRange(view, s), lineRange(view, s.startLine), kids);
    });
}
