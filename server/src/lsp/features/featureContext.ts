/** What the navigation features read: the index, the views (and the URIs the client uses), the clock. */
import { Location } from 'vscode-languageserver-protocol';
import { CertificateRef } from '../../workspace/indexedFile';
import { WorkspaceIndex } from '../../workspace/workspaceIndex';
import { targetLocation } from '../lspDiagnostics';
import { FileDecoder, ViewStore } from '../viewStore';

export { lineRange } from '../lspDiagnostics';

export interface FeatureContext {
  index: WorkspaceIndex;
  views: ViewStore;
  now: Date;
  /** the whole model of an indexed file (the index keeps summaries), for what a hover shows of another file */
  decode: FileDecoder;
}

/** Where a certificate lives: its PEM block in the source, or its section of a DER file's view. */
export function certificateLocation(ref: CertificateRef, ctx: FeatureContext): Location {
  return targetLocation(ref.file, { in: 'certificate', entry: ref.cert.index }, ctx.views);
}
