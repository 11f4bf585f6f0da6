/** A code lens on an ITL view's CAPF record: "Run LSC install test against this ITL". */
import { CodeLens, Command, Range } from 'vscode-languageserver-protocol';
import { Commands } from '../../shared/lspExtensions';
import { CAPF_ROLE } from '../../core/tlv/tags';
import { ResolvedDocument } from '../workspaceSession';
import { FeatureContext } from './featureContext';

export function codeLenses(doc: ResolvedDocument, ctx: FeatureContext): CodeLens[] {
  if (doc.kind !== 'view' || doc.file.kind !== 'trust-list') return [];
  const sourceUri = ctx.views.sourceUriOf(doc.file);
  const capf = doc.file.list.records.filter((r) => r.role === CAPF_ROLE).map((r) => r.index);
  return doc.view.sections
    .filter((s) => s.kind === 'record' && capf.includes(s.index))
    .map((s): CodeLens => ({
      range: Range.create(s.startLine, 0, s.startLine, 0),
      command: Command.create('Run LSC install test against this ITL', Commands.runLscInstallTest, sourceUri),
    }));
}
