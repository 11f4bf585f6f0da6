/**
 * Find references of a certificate: every trust-list record in the workspace that carries it (CERTIFICATE) or
 * names it (CERTHASH, issuer + serial), and — with the declaration — every certificate file that holds it.
 */
import { Location, Position } from 'vscode-languageserver-protocol';
import { RecordTag } from '../../core/tlv/tags';
import { recordTarget } from '../../rules/targets';
import { CertificateIdentity } from '../../workspace/identity';
import { targetLocation } from '../lspDiagnostics';
import { ResolvedDocument } from '../workspaceSession';
import { certificateLocation, FeatureContext } from './featureContext';
import { subjectOfPemLine, subjectOfViewLine } from './lineSubject';

function identityAt(doc: ResolvedDocument, position: Position): CertificateIdentity | undefined {
  const s = doc.kind === 'pem' ? subjectOfPemLine(doc.file, position.line) : subjectOfViewLine(doc.file, doc.view, position.line);
  if (s?.kind === 'record') return s.record.identity;
  if (s?.kind === 'certificate' && s.entry.certificate) return s.entry.identity;
  return undefined;
}

export function references(doc: ResolvedDocument, position: Position, includeDeclaration: boolean, ctx: FeatureContext): Location[] {
  const id = identityAt(doc, position);
  if (!id || (!id.sha1 && !id.issuerSerial)) return [];
  const out: Location[] = [];
  if (includeDeclaration) for (const ref of ctx.index.certificatesMatching(id)) out.push(certificateLocation(ref, ctx));
  for (const ref of ctx.index.recordsCarrying(id)) {
    out.push(targetLocation(ref.file, recordTarget(ref.record.record, RecordTag.CERTIFICATE, RecordTag.CERT_HASH, RecordTag.SERIAL_NUMBER), ctx.views));
  }
  return out;
}
