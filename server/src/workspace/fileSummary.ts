/**
 * The summary the index keeps of a decoded file (indexedFile.ts says what is in it and why): fresh, small
 * objects that hold no part of the decoded model — no file bytes (Buffers cut from a file keep all of it), no
 * element values, no certificate field texts.
 *
 * Summaries of trust lists are kept by content: per-device ITLSEP<MAC>.tlv files are often byte-identical
 * copies of ITLFile.tlv, and are then decoded and verified once.
 */
import { CertificateField, DecodedCertificate } from '../core/cert/model';
import { decodeTrustList } from '../core/tlv/decode';
import { TlvElement, TrustList, TrustRecord } from '../core/tlv/model';
import { SignatureCheck, verifyTrustList } from '../core/tlv/verify';
import { classifyFile } from './classifyFile';
import { CertificateIdentity } from './identity';
import { contentHash, decodeCertificateSource, decodeRecord, FileSource, trustListContentKey } from './decodeFile';
import {
  CertificateSummary,
  DecodedCertificateFile,
  DecodedFile,
  DecodedRecord,
  DecodedTrustList,
  ElementOutline,
  IndexedCertificateFile,
  IndexedFile,
  IndexedRecord,
  IndexedTrustList,
  RecordOutline,
  SignatureOutline,
  TrustListOutline,
} from './indexedFile';

/**
 * The content key of a file's bytes (what IndexedFile.contentKey holds for them: equal keys, equal summaries);
 * undefined when the file is neither kind.
 */
export function contentKeyOf(src: FileSource): string | undefined {
  const kind = classifyFile(src.name, src.bytes);
  if (kind === 'trust-list') return trustListContentKey(src);
  if (kind === 'certificate') return contentHash(src.bytes);
  return undefined;
}

/**
 * The summary of a file's bytes (decoded, then summarised); undefined when the file is neither kind. Never
 * throws. `contentKey`, when given, is contentKeyOf(src).
 */
export function summarizeSource(src: FileSource, contentKey?: string): IndexedFile | undefined {
  const kind = classifyFile(src.name, src.bytes);
  if (kind === 'trust-list') return summarizeTrustListSource(src, contentKey ?? trustListContentKey(src));
  if (kind === 'certificate') return summarizeCertificateFile(decodeCertificateSource(src, contentKey ?? contentHash(src.bytes)));
  return undefined;
}

/** The summary of a whole decoded model. */
export function summarize(file: DecodedFile): IndexedFile {
  return file.kind === 'trust-list' ? summarizeTrustList(file) : summarizeCertificateFile(file);
}

/** The certificate identities a file is filed under in the index (one per record or certificate). */
export function identitiesOf(file: IndexedFile): CertificateIdentity[] {
  return file.kind === 'trust-list' ? file.records.map((r) => r.identity) : file.certificates.map((c) => c.identity);
}

// ---- trust lists ----

const MAX_CACHED_TRUST_LISTS = 2_000;
const trustListCache = new Map<string, Pick<IndexedTrustList, 'list' | 'signature' | 'records'>>();

function summarizeTrustListSource(src: FileSource, contentKey: string): IndexedTrustList {
  // (whether a file is over a caller's maxBytes depends on its content alone: the key covers it)
  const cached = trustListCache.get(contentKey);
  if (cached) return { kind: 'trust-list', uri: src.uri, path: src.path, contentKey, ...cached };
  // Decoded here rather than by decodeTrustListFile: a record already summarised is not decoded further
  // (its certificate, its identity), and the whole model is never built.
  const list = decodeTrustList(src.bytes, src.name, { maxBytes: src.maxBytes });
  return summarizeDecoded(src, contentKey, list, verifyTrustList(src.bytes, list), decodeRecord);
}

/** Empties the trust-list cache (benchmarks measure decoding content the server has not seen). */
export function clearTrustListCache(): void {
  trustListCache.clear();
}

function outlineElements(elements: TlvElement[]): ElementOutline[] {
  return elements.map((e) => {
    const o: ElementOutline = { tag: e.tag, offset: e.offset, range: { start: e.range.start, end: e.range.end } };
    if (e.children) o.children = outlineElements(e.children);
    return o;
  });
}

/**
 * A copy with its own memory: a pooled small Buffer (Buffer.from) would keep an 8 KB slab alive, and a slice
 * of the file all of the file.
 */
function copy(b: Buffer | undefined): Buffer | undefined {
  if (!b) return undefined;
  const out = Buffer.allocUnsafeSlow(b.length);
  b.copy(out);
  return out;
}

/**
 * Summaries of records by their bytes and place in the file. The per-device trust lists of a cluster carry the
 * same records at the same offsets (the same SAST, TFTP, TVS and CAPF certificates), so each distinct record
 * is summarised once and shared by every file that holds it. Summaries are never modified.
 */
const MAX_SHARED_RECORDS = 20_000;
const sharedRecords = new Map<string, IndexedRecord>();

/**
 * The same for element layouts (tags and offsets) of headers and records: per-device files share them, and so
 * do records of the same shape (a cluster's CAPF record in every phone's file, whatever its certificate).
 */
const MAX_SHARED_LAYOUTS = 2_000;

/** Signers' serial numbers: a cluster's files are signed by one or two. */
const sharedSerials = new Map<string, Buffer>();

function sharedSerial(serial: Buffer | undefined): Buffer | undefined {
  if (!serial) return undefined;
  const hex = serial.toString('hex');
  let shared = sharedSerials.get(hex);
  if (!shared) {
    shared = copy(serial)!;
    if (sharedSerials.size >= MAX_SHARED_LAYOUTS) sharedSerials.clear();
    sharedSerials.set(hex, shared);
  }
  return shared;
}
const sharedLayouts = new Map<string, ElementOutline[]>();

function layoutKey(elements: TlvElement[]): string {
  let key = '';
  for (const e of elements) key += `${e.tag}@${e.offset}-${e.range.end}${e.children ? `(${layoutKey(e.children)})` : ''},`;
  return key;
}

function sharedLayout(elements: TlvElement[]): ElementOutline[] {
  const key = layoutKey(elements);
  let layout = sharedLayouts.get(key);
  if (!layout) {
    layout = outlineElements(elements);
    if (sharedLayouts.size >= MAX_SHARED_LAYOUTS) sharedLayouts.clear();
    sharedLayouts.set(key, layout);
  }
  return layout;
}

function summarizeRecord(bytes: Buffer, rec: TrustRecord, decode: (rec: TrustRecord) => DecodedRecord): IndexedRecord {
  const key = `${rec.index}@${rec.range.start}-${rec.range.end}:${contentHash(bytes.subarray(rec.range.start, rec.range.end))}`;
  let shared = sharedRecords.get(key);
  if (!shared) {
    const r = decode(rec);
    const record: RecordOutline = { index: rec.index, range: { start: rec.range.start, end: rec.range.end }, elements: sharedLayout(rec.elements), role: rec.role, roleName: rec.roleName, subject: rec.subject, issuer: rec.issuer, serial: copy(rec.serial) };
    shared = { record, certificate: r.certificate && summarizeCertificate(r.certificate), embedsCertificate: r.embedsCertificate, ecKey: r.ecKey, identity: r.identity };
    if (sharedRecords.size >= MAX_SHARED_RECORDS) sharedRecords.delete(sharedRecords.keys().next().value!);
    sharedRecords.set(key, shared);
  }
  return shared;
}

function outlineList(list: TrustList, records: RecordOutline[]): TrustListOutline {
  const h = list.header;
  return {
    kind: list.kind,
    size: list.size,
    header: {
      range: { start: h.range.start, end: h.range.end },
      elements: sharedLayout(h.elements),
      signerName: h.signerName,
      signerSerial: sharedSerial(h.signerSerial),
      signerVersion: h.signerVersion,
      signature: h.signature ? { range: h.signature.range } : undefined,
    },
    records,
    problems: list.problems.length ? list.problems : NO_PROBLEMS,
  };
}

const NO_PROBLEMS: TrustListOutline['problems'] = [];

function outlineSignature(s: SignatureCheck, records: RecordOutline[]): SignatureOutline {
  return { status: s.status, signer: s.signer ? records[s.signer.index - 1] : undefined, hashName: s.hashName, message: s.message };
}

function summarizeTrustList(file: DecodedTrustList): IndexedTrustList {
  const content = trustListCache.get(file.contentKey);
  if (content) return { kind: 'trust-list', uri: file.uri, path: file.path, contentKey: file.contentKey, ...content };
  return summarizeDecoded(file, file.contentKey, file.list, file.signature, (rec) => file.records[rec.index - 1]);
}

/** The summary of a decoded list; `decode` gives the decoded form of a record not summarised before. */
function summarizeDecoded(
  src: Pick<FileSource, 'uri' | 'path' | 'bytes'>,
  contentKey: string,
  list: TrustList,
  signature: SignatureCheck,
  decode: (rec: TrustRecord) => DecodedRecord,
): IndexedTrustList {
  const records = list.records.map((rec) => summarizeRecord(src.bytes, rec, decode));
  const outlines = records.map((r) => r.record);
  const content = { list: outlineList(list, outlines), signature: outlineSignature(signature, outlines), records };
  if (trustListCache.size >= MAX_CACHED_TRUST_LISTS) trustListCache.delete(trustListCache.keys().next().value!);
  trustListCache.set(contentKey, content);
  return { kind: 'trust-list', uri: src.uri, path: src.path, contentKey, ...content };
}

// ---- certificates ----

/** The fields diagnostics point at (see certificateRules.ts), with everything under them. */
const TARGET_FIELDS = ['validity', 'subjectPublicKeyInfo', 'extensions.basicConstraints', 'extensions.keyUsage'];

function isTargetField(f: CertificateField): boolean {
  return TARGET_FIELDS.some((p) => f.path === p || f.path.startsWith(`${p}.`));
}

/** Field spans by layout: certificates issued alike (a cluster's LSCs, its CAPF certificates) share them. */
const MAX_SHARED_FIELDS = 2_000;
const sharedFieldLists = new Map<string, CertificateSummary['fields']>();

function sharedFields(fields: CertificateField[]): CertificateSummary['fields'] {
  const key = fields.map((f) => `${f.path}@${f.span.start}-${f.span.end}`).join(',');
  let shared = sharedFieldLists.get(key);
  if (!shared) {
    shared = fields.map((f) => ({ path: f.path, span: { start: f.span.start, end: f.span.end } }));
    if (sharedFieldLists.size >= MAX_SHARED_FIELDS) sharedFieldLists.clear();
    sharedFieldLists.set(key, shared);
  }
  return shared;
}

/** One summary per decoded certificate (decoded certificates are shared through certificateCache.ts). */
const summaries = new WeakMap<DecodedCertificate, CertificateSummary>();

export function summarizeCertificate(c: DecodedCertificate): CertificateSummary {
  let s = summaries.get(c);
  if (!s) {
    const subject = { rfc4514: c.subject.rfc4514, cucm: c.subject.cucm, attributes: c.subject.attributes.map((a) => ({ name: a.name, value: a.value })) };
    // A self-signed certificate's issuer is its subject: one copy of the names.
    const issuer = c.issuer.cucm === subject.cucm && c.issuer.rfc4514 === subject.rfc4514 ? subject : { rfc4514: c.issuer.rfc4514, cucm: c.issuer.cucm };
    s = {
      der: { length: c.der.length },
      serialHex: c.serialHex,
      signatureAlgorithm: c.signatureAlgorithm,
      subject,
      issuer,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      publicKey: { type: c.publicKey.type, bits: c.publicKey.bits },
      basicConstraints: c.basicConstraints,
      keyUsage: c.keyUsage,
      selfIssued: c.selfIssued,
      fields: sharedFields(c.fields.filter(isTargetField)),
    };
    summaries.set(c, s);
  }
  return s;
}

function summarizeCertificateFile(file: DecodedCertificateFile): IndexedCertificateFile {
  return {
    kind: 'certificate',
    uri: file.uri,
    path: file.path,
    contentKey: file.contentKey,
    format: file.format,
    size: file.size,
    problems: file.file.problems,
    certificates: file.certificates.map((c) => ({
      index: c.index,
      pem: c.pem && {
        label: c.pem.label,
        start: c.pem.start,
        end: c.pem.end,
        startLine: c.pem.startLine,
        endLine: c.pem.endLine,
        badBase64: c.pem.badBase64,
        unterminated: c.pem.unterminated,
        position: c.pem.position,
      },
      certificate: c.certificate && summarizeCertificate(c.certificate),
      problems: c.problems,
      identity: c.identity,
    })),
  };
}
