/** The decoded view of any indexed file: the trust-list view or the certificate view. */
import { decodeCertificateCached } from '../workspace/certificateCache';
import { DecodedFile } from '../workspace/indexedFile';
import { renderCertificateView } from './certificateView';
import { renderTrustListView } from './trustListView';
import { RenderedView } from './viewModel';

export function renderFileView(file: DecodedFile, o: { fileName: string; now: Date }): RenderedView {
  return file.kind === 'trust-list'
    ? renderTrustListView(file.list, { fileName: o.fileName, now: o.now, signature: file.signature, decodeCertificate: (der) => decodeCertificateCached(der).result })
    : renderCertificateView(file.file, o);
}
