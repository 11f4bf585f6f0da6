/** What the navigation features read: the index, the views (and the URIs the client uses), the clock. */
import { Location, Range } from 'vscode-languageserver-protocol';
import { RenderedView } from '../../views/viewModel';
import { lineSpan } from '../../views/viewTargets';
import { positionAt } from '../../rules/sourceLocation';
import { CertificateRef } from '../../workspace/indexedFile';
import { WorkspaceIndex } from '../../workspace/workspaceIndex';
import { ViewStore } from '../viewStore';

export interface FeatureContext {
  index: WorkspaceIndex;
  views: ViewStore;
  now: Date;
}

export function lineRange(view: RenderedView, line: number): Range {
  const span = lineSpan(view, line);
  return Range.create(line, span.start, line, span.end);
}

/** Where a certificate lives: its PEM block in the source, or its section of a DER file's view. */
export function certificateLocation(ref: CertificateRef, ctx: FeatureContext): Location {
  const { file, cert } = ref;
  if (file.text !== undefined && cert.pem) {
    return Location.create(ctx.views.sourceUriOf(file), Range.create(positionAt(file.text, cert.pem.start), positionAt(file.text, cert.pem.end)));
  }
  const view = ctx.views.viewOf(file);
  const line = Math.max(0, view.lines.findIndex((l) => l.kind === 'section' && l.section === cert.index + 1));
  return Location.create(ctx.views.viewUriOf(file), lineRange(view, line));
}
