/** One line on a signed file for its view: what a phone holding the trust lists beside it does with it. */
import * as path from 'node:path';
import { signatureVerifiesWith } from '../core/tlv/verify';
import { signedFileDownload } from './downloads';
import { heldByPhone } from './heldLists';
import { PhoneVerdict } from './model';
import { phoneVerdict } from './phoneTrust';
import { describeRecord, describeSigner } from './records';
import { certificateKey } from './signerMatch';
import { findSignerCertificate, SignedFileContext, SignedFileSource } from './signedFileRules';

export interface SignedFileVerdict {
  line: string;
  verdict?: PhoneVerdict;
  /** the signer's certificate, when found in the trust lists or certificate files given */
  signerCertificate?: Buffer;
}

export function signedFileVerdict(src: SignedFileSource, ctx: SignedFileContext): SignedFileVerdict {
  if (src.file.stoppedAt !== undefined) {
    return { line: `not checked — ITL Lens stopped reading the header at byte ${src.file.stoppedAt} of ${src.file.size} (tlv-too-many-elements), so neither the signature nor the signer was checked.` };
  }
  const name = path.basename(src.path ?? src.uri);
  const h = heldByPhone(name, src.path, ctx.trustLists);
  const cert = findSignerCertificate(src.file, ctx);
  const signer = describeSigner(src.file.header);
  if (h.held.itl || h.held.ctl) {
    const v = phoneVerdict(h.held, signedFileDownload(src.bytes, src.file, name, cert), ctx.tvs);
    const lists = [h.ctl, h.itl].filter(Boolean).map((x) => path.basename(x!.path ?? x!.uri)).join(' and ');
    const head =
      v.verdict === 'accepted'
        ? `accepted — phones holding ${lists} accept it: ${v.basis === 'tvs' ? v.reason : `signed by ${v.record ? describeRecord(v.record) : signer}.`}`
        : v.verdict === 'accepted-via-tvs'
          ? `accepted-via-tvs — phones holding ${lists} accept it only if TVS knows the signer ${signer}.`
          : `rejected (${v.rejection}) — phones holding ${lists} ignore it and keep their old configuration: ${v.reason}`;
    return { line: head, verdict: v, signerCertificate: cert };
  }
  if (cert) {
    const ok = signatureVerifiesWith(src.bytes, src.file.header, certificateKey(cert));
    if (ok === false) return { line: `The signature does not verify with the signer's certificate ${signer}: the file was changed after it was signed.`, signerCertificate: cert };
    if (ok) return { line: `The signature verifies with the signer's certificate ${signer}; no ITL/CTL beside the file to tell whether phones trust it.`, signerCertificate: cert };
  }
  return { line: `Signed by ${signer}; no ITL/CTL or signer certificate beside the file: the signer cannot be checked.` };
}
