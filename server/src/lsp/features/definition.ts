/**
 * Go to definition. In a trust-list view: the header's signer → the SAST record that signed; a record's
 * CERTIFICATE, CERTHASH or SERIALNUMBER → the certificate file in the workspace that holds that certificate;
 * ISSUERNAME → the issuer's certificate. In a certificate view or PEM file: the issuer → its certificate.
 */
import { Location, Position } from 'vscode-languageserver-protocol';
import { HeaderTag, RecordTag } from '../../core/tlv/tags';
import { dnKey } from '../../workspace/identity';
import { CertificateRef, IndexedRecord, IndexedTrustList } from '../../workspace/indexedFile';
import { ResolvedDocument } from '../workspaceSession';
import { certificateLocation, FeatureContext, lineRange } from './featureContext';
import { subjectOfPemLine, subjectOfViewLine } from './lineSubject';

const SIGNER_TAGS: number[] = [HeaderTag.SIGNER_INFO, HeaderTag.SIGNER_NAME, HeaderTag.SERIAL_NUMBER, HeaderTag.ISSUER_NAME];

export function definition(doc: ResolvedDocument, position: Position, ctx: FeatureContext): Location[] {
  const s = doc.kind === 'pem' ? subjectOfPemLine(doc.file, position.line) : subjectOfViewLine(doc.file, doc.view, position.line);
  if (!s) return [];
  const refs = (list: CertificateRef[]) => list.map((r) => certificateLocation(r, ctx));
  switch (s.kind) {
    case 'header':
      return s.element && SIGNER_TAGS.includes(s.element.tag) && doc.kind === 'view' ? signerRecord(doc, s.file, ctx) : [];
    case 'record':
      return refs(recordTargets(s.record, s.element?.tag, ctx));
    case 'certificate': {
      const cert = s.entry.certificate;
      if (!cert || (s.field !== undefined && s.field !== 'issuer' && doc.kind === 'view')) return [];
      const issuers = ctx.index.certificatesWithSubject(dnKey(cert.issuer)).filter((r) => cert.selfIssued || r.cert.identity.sha1 !== s.entry.identity.sha1);
      return refs(issuers);
    }
    default:
      return [];
  }
}

function signerRecord(doc: Extract<ResolvedDocument, { kind: 'view' }>, file: IndexedTrustList, ctx: FeatureContext): Location[] {
  const signer = file.signature.signer;
  if (!signer) return [];
  const line = doc.view.lines.findIndex((l) => l.kind === 'section' && l.section === signer.index);
  return line >= 0 ? [Location.create(ctx.views.viewUriOf(file), lineRange(doc.view, line))] : [];
}

function recordTargets(r: IndexedRecord, tag: number | undefined, ctx: FeatureContext): CertificateRef[] {
  switch (tag) {
    case RecordTag.ISSUER_NAME:
      return r.record.issuer ? ctx.index.certificatesWithSubject(dnKey(r.record.issuer)) : [];
    case RecordTag.SERIAL_NUMBER:
      return r.identity.issuerSerial ? ctx.index.certificatesMatching({ issuerSerial: r.identity.issuerSerial }) : [];
    case RecordTag.SUBJECT_NAME: {
      const same = ctx.index.certificatesMatching(r.identity);
      return same.length || !r.identity.subject ? same : ctx.index.certificatesWithSubject(r.identity.subject);
    }
    default:
      return ctx.index.certificatesMatching(r.identity);
  }
}
