/** What the navigation features read: the index, the views (and the URIs the client uses), the clock. */
import { Location } from 'vscode-languageserver-protocol';
import { CertificateRef } from '../../workspace/indexedFile';
import { WorkspaceIndex } from '../../workspace/workspaceIndex';
import { targetLocation } from '../lspDiagnostics';
import { ViewStore } from '../viewStore';

export { lineRange } from '../lspDiagnostics';

export interface FeatureContext {
  index: WorkspaceIndex;
  views: ViewStore;
  now: Date;
}

/** Where a certificate lives: its PEM block in the source, or its section of a DER file's view. */
export function certificateLocation(ref: CertificateRef, ctx: FeatureContext): Location {
  return targetLocation(ref.file, { in: 'certificate', entry: ref.cert.index }, ctx.views);
}
