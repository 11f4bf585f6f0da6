/** Folding: each record or section of a view (and runs of problem lines), each PEM block. */
import { RenderedView } from '../../views/viewModel';
import { FoldingRange, FoldingRangeKind } from 'vscode-languageserver-protocol';
import { ResolvedDocument } from '../workspaceSession';

export function foldingRanges(doc: ResolvedDocument): FoldingRange[] {
  if (doc.kind === 'pem') {
    const blocks = [...doc.file.certificates.flatMap((c) => (c.pem ? [c.pem] : [])), ...doc.file.file.otherBlocks];
    return blocks.filter((b) => b.endLine > b.startLine).map((b) => FoldingRange.create(b.startLine, b.endLine, undefined, undefined, FoldingRangeKind.Region));
  }
  const { view } = doc;
  const out = view.sections.filter((s) => s.endLine > s.startLine).map((s) => FoldingRange.create(s.startLine, s.endLine, undefined, undefined, FoldingRangeKind.Region));
  // A run of two or more "Problem [...]" lines folds as one block.
  for (let i = 0; i < view.lines.length; i++) {
    if (view.lines[i].kind !== 'problem') continue;
    let j = i;
    while (j + 1 < view.lines.length && view.lines[j + 1].kind === 'problem') j++;
    if (j > i) out.push(FoldingRange.create(i, j, undefined, undefined, FoldingRangeKind.Region));
    i = j;
  }
  return out.sort((a, b) => a.startLine - b.startLine);
}

/** A signed file's view folds by its header and payload. */
export function signedFileFolding(view: RenderedView): FoldingRange[] {
  return view.sections.filter((s) => s.kind !== 'element' && s.endLine > s.startLine).map((s) => FoldingRange.create(s.startLine, s.endLine, undefined, undefined, FoldingRangeKind.Region));
}
