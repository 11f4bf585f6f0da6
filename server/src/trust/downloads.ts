/** Builds the trust model's inputs from decoded files. */
import { TrustList } from '../core/tlv/model';
import { SignedFile } from '../core/sgn/model';
import { Download, HeldList } from './model';
import { ownSignerCertificate } from './phoneTrust';

/** A trust list as a download: ITL (also ITLSEP<MAC>.tlv) or CTL, by its kind. */
export function trustListDownload(bytes: Buffer, list: TrustList, name: string): Download & { list: TrustList } {
  return {
    kind: list.kind === 'CTL' ? 'CTL' : 'ITL',
    name,
    bytes,
    header: list.header,
    problems: list.problems,
    list,
    signerCertificate: ownSignerCertificate(list),
  };
}

/** A signed file as a download; `signerCertificate` is what the caller found for the header's issuer + serial. */
export function signedFileDownload(bytes: Buffer, file: SignedFile, name: string, signerCertificate?: Buffer): Download {
  return { kind: 'signed-file', name, bytes, header: file.header, problems: file.problems, signerCertificate };
}

export function heldList(list: TrustList, name?: string): HeldList {
  return { list, name };
}
