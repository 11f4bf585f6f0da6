/**
 * Document links in a decoded view: the file name in the title opens the source file, and the value of a
 * record's CERTIFICATE or CERTHASH line opens the workspace certificate file that holds that certificate.
 */
import { DocumentLink, Range } from 'vscode-languageserver-protocol';
import { RecordTag } from '../../core/tlv/tags';
import { ResolvedDocument } from '../workspaceSession';
import { certificateLocation, FeatureContext } from './featureContext';
import { subjectOfViewLine } from './lineSubject';

const CERTIFICATE_TAGS: number[] = [RecordTag.CERTIFICATE, RecordTag.CERT_HASH];

export function documentLinks(doc: ResolvedDocument, ctx: FeatureContext): DocumentLink[] {
  if (doc.kind !== 'view') return [];
  const { view, file } = doc;
  const out: DocumentLink[] = [];
  const title = view.lines[0]?.text ?? '';
  const name = ctx.views.displayName(file);
  const at = title.lastIndexOf(name);
  if (name && at >= 0) out.push(DocumentLink.create(Range.create(0, at, 0, at + name.length), ctx.views.sourceUriOf(file), 'Open the source file'));
  view.lines.forEach((l, i) => {
    if (l.kind !== 'element' || l.tag === undefined || !CERTIFICATE_TAGS.includes(l.tag)) return;
    const s = subjectOfViewLine(file, view, i);
    if (s?.kind !== 'record') return;
    const match = ctx.index.certificatesMatching(s.record.identity)[0];
    if (!match) return;
    const loc = certificateLocation(match, ctx);
    const target = loc.uri.startsWith('file:') && (loc.range.start.line > 0 || match.file.certificates.length > 1) ? `${loc.uri}#L${loc.range.start.line + 1}` : loc.uri;
    const value = valueColumn(l.text);
    out.push(DocumentLink.create(Range.create(i, value, i, l.text.length), target, `Open ${ctx.views.displayName(match.file)}`));
  });
  return out;
}

/** Where the VALUE column starts on an element line (after BYTEPOS, TAG and LENGTH). */
function valueColumn(text: string): number {
  const m = /^\d+\s+\d+\s+\S+(?: \S+)?\s+\d+\s+/.exec(text);
  return m ? m[0].length : 0;
}
