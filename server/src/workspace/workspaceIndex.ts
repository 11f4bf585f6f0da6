/**
 * The workspace index: every trust list and certificate file by URI, and the correlation between them
 * (which certificate file a record carries or names, which records carry a certificate). Pure: files come
 * in already decoded; no I/O here. Trust lists and certificate files are filed under their identity keys
 * (SHA-1, issuer + serial, subject) in two maps, so that a lookup of one kind never walks the other.
 */
import { identitiesOf } from './fileSummary';
import { CertificateIdentity, identityKeys, sameCertificate } from './identity';
import { CertificateRef, IndexedCertificateFile, IndexedFile, IndexedTrustList, RecordRef } from './indexedFile';
import { isSameOrUnder } from './scanFolders';

/**
 * URIs by key. Most keys belong to one file (a phone's own CAPF certificate and record): those hold the URI
 * itself, and only a key shared by several files holds a Set (a Set per key costs more than the summary).
 */
type KeyMap = Map<string, string | Set<string>>;

function addUri(map: KeyMap, key: string, uri: string): void {
  const held = map.get(key);
  if (held === undefined || held === uri) map.set(key, uri);
  else if (typeof held === 'string') map.set(key, new Set([held, uri]));
  else held.add(uri);
}

function removeUri(map: KeyMap, key: string, uri: string): void {
  const held = map.get(key);
  if (held === uri) map.delete(key);
  else if (typeof held !== 'string' && held?.delete(uri)) {
    if (held.size === 1) map.set(key, held.values().next().value!);
  }
}

function urisOf(map: KeyMap, key: string): Iterable<string> {
  const held = map.get(key);
  return held === undefined ? [] : typeof held === 'string' ? [held] : held;
}

export class WorkspaceIndex {
  private readonly files = new Map<string, IndexedFile>();
  private readonly trustListsByKey: KeyMap = new Map();
  private readonly certificateFilesByKey: KeyMap = new Map();

  private trustListCount = 0;
  private certificateFileCount = 0;

  get size(): number {
    return this.files.size;
  }

  /** How many trust lists, and certificate files holding at least one certificate block, the index holds. */
  counts(): { trustLists: number; certificateFiles: number } {
    return { trustLists: this.trustListCount, certificateFiles: this.certificateFileCount };
  }

  get(uri: string): IndexedFile | undefined {
    return this.files.get(uri);
  }

  has(uri: string): boolean {
    return this.files.has(uri);
  }

  all(): IndexedFile[] {
    return [...this.files.values()];
  }

  trustLists(): IndexedTrustList[] {
    return this.all().filter((f): f is IndexedTrustList => f.kind === 'trust-list');
  }

  certificateFiles(): IndexedCertificateFile[] {
    return this.all().filter((f): f is IndexedCertificateFile => f.kind === 'certificate');
  }

  /** Adds or replaces a file. */
  set(file: IndexedFile): void {
    this.unfile(file.uri);
    this.files.set(file.uri, file);
    this.tally(file, 1);
    const map = this.mapFor(file);
    for (const k of keysOf(file)) {
      addUri(map, k, file.uri);
    }
  }

  delete(uri: string): void {
    this.unfile(uri);
    this.files.delete(uri);
  }

  private tally(file: IndexedFile, by: 1 | -1): void {
    if (file.kind === 'trust-list') this.trustListCount += by;
    else if (file.certificates.length > 0) this.certificateFileCount += by;
  }

  /** URIs of files whose path lies under `dir` (for a deleted folder or a removed workspace folder). */
  urisUnder(dir: string): string[] {
    return this.all()
      .filter((f) => f.path !== undefined && isSameOrUnder(f.path, dir))
      .map((f) => f.uri);
  }

  /** Certificate files that hold the certificate a record carries or names (by SHA-1, else issuer + serial). */
  certificatesMatching(id: CertificateIdentity): CertificateRef[] {
    const key = id.sha1 ? `sha1:${id.sha1}` : id.issuerSerial ? `is:${id.issuerSerial}` : undefined;
    if (!key) return [];
    return this.certificatesUnder(key).filter((ref) => sameCertificate(id, ref.cert.identity));
  }

  /** Certificate files holding a certificate with this subject (normalised DN key). */
  certificatesWithSubject(subjectKey: string): CertificateRef[] {
    return this.certificatesUnder(`subject:${subjectKey}`).filter((ref) => ref.cert.identity.subject === subjectKey);
  }

  /** Trust-list records that carry or name a certificate. */
  recordsCarrying(id: CertificateIdentity): RecordRef[] {
    const keys = [id.sha1 && `sha1:${id.sha1}`, id.issuerSerial && `is:${id.issuerSerial}`].filter((k): k is string => !!k);
    const out: RecordRef[] = [];
    const seen = new Set<string>();
    for (const k of keys) {
      for (const ref of this.recordsUnder(k)) {
        const tag = `${ref.file.uri}#${ref.record.record.index}`;
        if (seen.has(tag) || !sameCertificate(ref.record.identity, id)) continue;
        seen.add(tag);
        out.push(ref);
      }
    }
    return out;
  }

  /** Trust-list records whose subject is this (normalised DN key). */
  recordsWithSubject(subjectKey: string): RecordRef[] {
    return this.recordsUnder(`subject:${subjectKey}`).filter((ref) => ref.record.identity.subject === subjectKey);
  }

  private recordsUnder(key: string): RecordRef[] {
    const out: RecordRef[] = [];
    for (const uri of urisOf(this.trustListsByKey, key)) {
      const f = this.files.get(uri) as IndexedTrustList;
      for (const record of f.records) out.push({ file: f, record });
    }
    return out;
  }

  private certificatesUnder(key: string): CertificateRef[] {
    const out: CertificateRef[] = [];
    for (const uri of urisOf(this.certificateFilesByKey, key)) {
      const f = this.files.get(uri) as IndexedCertificateFile;
      for (const cert of f.certificates) if (cert.certificate) out.push({ file: f, cert: cert as CertificateRef['cert'] });
    }
    return out;
  }

  private mapFor(file: IndexedFile): KeyMap {
    return file.kind === 'trust-list' ? this.trustListsByKey : this.certificateFilesByKey;
  }

  private unfile(uri: string): void {
    const old = this.files.get(uri);
    if (!old) return;
    this.tally(old, -1);
    const map = this.mapFor(old);
    for (const k of keysOf(old)) removeUri(map, k, uri);
  }
}

/** The keys a file is filed under (from its identities, which never change: summaries are not modified). */
function keysOf(file: IndexedFile): Set<string> {
  const keys = new Set<string>();
  for (const id of identitiesOf(file)) for (const k of identityKeys(id)) keys.add(k);
  return keys;
}
