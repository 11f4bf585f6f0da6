/** itlLens/byteOffset: the source bytes a view line describes (for "Reveal in Hex Editor"). */
import { ByteOffsetResult } from '../../shared/lspExtensions';
import { ResolvedDocument } from '../workspaceSession';
import { FeatureContext } from './featureContext';

/** Binary sources only: PEM views describe bytes of the decoded DER, not of the text file. */
export function byteOffset(doc: ResolvedDocument, line: number, ctx: FeatureContext): ByteOffsetResult | null {
  if (doc.kind !== 'view') return null;
  const l = doc.view.lines[line];
  if (!l?.range) return null;
  if (doc.file.kind === 'certificate' && doc.file.file.format === 'pem') return null;
  return { sourceUri: ctx.views.sourceUriOf(doc.file), offset: l.range.start, length: l.range.end - l.range.start };
}
