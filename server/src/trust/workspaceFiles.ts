/** Reads the trust lists and certificates a signed file is checked against from disk (the CLI's workspace). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeTrustList } from '../core/tlv/decode';
import { decodeCertificateFile } from '../core/cert/certificateFile';
import { decodeSignedFile } from '../core/sgn/decode';
import { decodeIndexedFile } from '../workspace/decodeFile';
import { readIndexedFileSync } from '../workspace/scanFolders';
import { fileUri } from '../workspace/uris';
import { WorkspaceIndex } from '../workspace/workspaceIndex';
import { WorkspaceTrustList } from './heldLists';
import { SignedFileSource } from './signedFileRules';

export function readSignedFile(file: string): SignedFileSource {
  const bytes = fs.readFileSync(file);
  return { uri: fileUri(file), path: file, bytes, file: decodeSignedFile(bytes, file) };
}

/** The .tlv files and certificates in a folder (not below it). */
export function trustFilesIn(dir: string): { trustLists: WorkspaceTrustList[]; certificates: Buffer[] } {
  const trustLists: WorkspaceTrustList[] = [];
  const certificates: Buffer[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return { trustLists, certificates };
  }
  for (const n of names) {
    const p = path.join(dir, n);
    try {
      if (!fs.statSync(p).isFile()) continue;
      if (/\.tlv$/i.test(n)) {
        const bytes = fs.readFileSync(p);
        trustLists.push({ uri: fileUri(p), path: p, bytes, list: decodeTrustList(bytes, p) });
      } else if (/\.(pem|crt|cer|der)$/i.test(n)) {
        for (const e of decodeCertificateFile(fs.readFileSync(p)).entries) if (e.result.ok) certificates.push(e.result.certificate.der);
      }
    } catch {
      /* unreadable: skipped */
    }
  }
  return { trustLists, certificates };
}

/**
 * The index's trust lists and certificates, decoded again from disk: the index keeps compact summaries (no
 * bytes, no element values), and the signed-file rules need whole trust lists and each certificate's DER. Files
 * gone or unreadable since they were indexed are left out.
 */
export function trustFilesOfIndex(index: WorkspaceIndex): { trustLists: WorkspaceTrustList[]; certificates: Buffer[] } {
  const trustLists: WorkspaceTrustList[] = [];
  const certificates: Buffer[] = [];
  for (const summary of index.all()) {
    const bytes = summary.path === undefined ? undefined : readIndexedFileSync(summary.path);
    const decoded = bytes && decodeIndexedFile(summary, bytes);
    if (decoded?.kind === 'trust-list') trustLists.push(decoded);
    else if (decoded?.kind === 'certificate') for (const c of decoded.certificates) if (c.certificate) certificates.push(c.certificate.der);
  }
  return { trustLists, certificates };
}
