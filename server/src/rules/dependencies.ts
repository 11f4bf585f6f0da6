/**
 * Which files' diagnostics can change when a file changes. Trust-list rules read the workspace only for CAPF
 * records (the CAPF certificate files by hash, issuer + serial and subject); certificate rules read only the
 * CAPF records that carry or share the subject of a certificate. So a trust list's dependents are those CAPF
 * certificate files, and a certificate file's dependents are the trust lists whose CAPF records it touches.
 */
import { IndexedFile } from '../workspace/indexedFile';
import { WorkspaceIndex } from '../workspace/workspaceIndex';
import { CAPF_ROLE } from '../core/tlv/tags';

export function dependentsOf(file: IndexedFile, index: WorkspaceIndex): Set<string> {
  const out = new Set<string>();
  if (file.kind === 'trust-list') {
    for (const r of file.records) {
      if (r.record.role !== CAPF_ROLE) continue;
      for (const ref of index.certificatesMatching(r.identity)) out.add(ref.file.uri);
      if (r.identity.subject) for (const ref of index.certificatesWithSubject(r.identity.subject)) out.add(ref.file.uri);
    }
  } else {
    for (const c of file.certificates) {
      if (!c.certificate) continue;
      for (const ref of index.recordsCarrying(c.identity)) if (ref.record.record.role === CAPF_ROLE) out.add(ref.file.uri);
      if (c.identity.subject) for (const ref of index.recordsWithSubject(c.identity.subject)) if (ref.record.record.role === CAPF_ROLE) out.add(ref.file.uri);
    }
  }
  out.delete(file.uri);
  return out;
}
