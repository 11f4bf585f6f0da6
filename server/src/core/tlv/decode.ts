/**
 * Decoder for Cisco .tlv trust lists (ITLFile.tlv, ITLSEP<MAC>.tlv, CTLFile.tlv).
 * Pure and total: it never throws. Each structural fault becomes a TlvProblem with a byte range and a
 * stable code, and whatever can still be decoded before and after the fault is decoded.
 */
import {
  HEADER_TAG_NAMES,
  HeaderTag,
  RECORD_TAG_NAMES,
  RecordTag,
  ROLE_NAMES,
  HASH_ALGORITHMS,
  SIGNATURE_MODULUS_SIZES,
} from './tags';
import { tooLargeToDecodeMessage } from '../decodeLimit';
import { ByteRange, ElementValue, TlvElement, TlvProblem, TlvProblemCode, TrustList, TrustListHeader, TrustRecord, Severity } from './model';

const MAX_PROBLEMS = 200;
const RECORD_FIXED_LENGTHS: Record<number, number> = { 1: 2, 4: 2, 12: 1 };

/**
 * What a header may hold: the .tlv trust list's tags, or those of a signed file (.sgn, whose `.enc.sgn` form adds
 * the encryption tags 16–27). One header decoder serves both (reference part E: the same header TLVs).
 */
export interface HeaderDialect {
  containers: ReadonlySet<number>;
  /** tags the dialect knows; others are reported as tlv-unknown-tag and skipped */
  known: (tag: number) => boolean;
  fixedLengths: Readonly<Record<number, number>>;
  names: Readonly<Record<number, string>>;
  /** decoded values of tags beyond the common ones */
  extraValue?: (tag: number, raw: Buffer) => ElementValue | undefined;
}

export const TRUST_LIST_HEADER: HeaderDialect = {
  containers: new Set<number>([HeaderTag.SIGNER_INFO, HeaderTag.SIGNATURE_INFO, HeaderTag.SIGNATURE_ALGORITHM_INFO]),
  known: (tag) => HEADER_TAG_NAMES[tag] !== undefined && (tag <= 15 || tag === 28),
  fixedLengths: { 1: 2, 2: 2, 8: 1, 10: 1, 11: 1, 15: 4, 28: 2 },
  names: HEADER_TAG_NAMES,
};

/**
 * The problems found so far, and the element budget: once `elementsLeft` elements are read, readElement reads no
 * more and `stoppedAt` keeps where it stopped (decodeTrustList then reports it and reads no further record).
 */
export class Problems {
  readonly list: TlvProblem[] = [];
  private dropped = 0;
  stoppedAt: number | undefined;
  constructor(
    private readonly size: number,
    public elementsLeft = Infinity,
  ) {}
  add(code: TlvProblemCode, severity: Severity, message: string, range: ByteRange): void {
    if (this.list.length >= MAX_PROBLEMS) {
      this.dropped++;
      return;
    }
    const start = Math.max(0, Math.min(range.start, this.size));
    const end = Math.max(start, Math.min(range.end, this.size));
    this.list.push({ code, severity, message, range: { start, end } });
  }
  finish(): TlvProblem[] {
    if (this.dropped > 0 && this.list.length) {
      const last = this.list[this.list.length - 1];
      last.message += ` (${this.dropped} further problems not listed)`;
    }
    return this.list;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}

function cString(raw: Buffer): string {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  return raw.subarray(0, end).toString('latin1');
}

type Context = 'header' | 'record';

function tagName(ctx: Context, tag: number, dialect: HeaderDialect): string {
  return (ctx === 'header' ? dialect.names[tag] : RECORD_TAG_NAMES[tag]) ?? `UNKNOWN(${tag})`;
}

function isKnown(ctx: Context, tag: number, dialect: HeaderDialect = TRUST_LIST_HEADER): boolean {
  return ctx === 'header' ? dialect.known(tag) : RECORD_TAG_NAMES[tag] !== undefined;
}

/** Reads one element at `pos`; reports truncation at end of file. Returns undefined only when pos >= size. */
function readElement(buf: Buffer, pos: number, ctx: Context, problems: Problems, dialect: HeaderDialect = TRUST_LIST_HEADER): TlvElement | undefined {
  if (pos >= buf.length || problems.stoppedAt !== undefined) return undefined;
  if (problems.elementsLeft-- <= 0) {
    problems.stoppedAt = pos;
    return undefined;
  }
  const tag = buf[pos];
  if (ctx === 'header' && tag === HeaderTag.PADDING) {
    return {
      offset: pos,
      tag,
      name: 'PADDING',
      length: 1,
      valueOffset: pos + 1,
      raw: Buffer.alloc(0),
      value: { kind: 'padding' },
      range: { start: pos, end: pos + 1 },
      truncated: false,
    };
  }
  const name = tagName(ctx, tag, dialect);
  if (pos + 3 > buf.length) {
    problems.add('tlv-truncated', 'error', `The file ends inside the ${name} element at byte ${pos} ${hex(pos)}: its 2-byte length is cut off.`, {
      start: pos,
      end: buf.length,
    });
    return {
      offset: pos,
      tag,
      name,
      length: 0,
      valueOffset: buf.length,
      raw: Buffer.alloc(0),
      value: { kind: 'bytes' },
      range: { start: pos, end: buf.length },
      truncated: true,
    };
  }
  const length = buf.readUInt16BE(pos + 1);
  const valueOffset = pos + 3;
  const valueEnd = valueOffset + length;
  const truncated = valueEnd > buf.length;
  // (Record tags 3, 7 and 9 share the header containers' numbers: their truncation is reported by the record.)
  if (truncated && !dialect.containers.has(tag)) {
    problems.add(
      'tlv-truncated',
      'error',
      `${name} at byte ${pos} ${hex(pos)} declares ${length} bytes of value but the file ends after ${buf.length - valueOffset}: the file is truncated.`,
      { start: pos, end: buf.length },
    );
  }
  const isContainer = ctx === 'header' && dialect.containers.has(tag);
  const raw = isContainer ? Buffer.alloc(0) : buf.subarray(valueOffset, Math.min(valueEnd, buf.length));
  return {
    offset: pos,
    tag,
    name,
    length,
    valueOffset,
    raw,
    value: isContainer ? { kind: 'container' } : { kind: 'bytes' },
    range: { start: pos, end: Math.min(valueEnd, buf.length) },
    truncated,
  };
}

function decodeHeaderValue(e: TlvElement, problems: Problems, dialect: HeaderDialect): void {
  const fixed = dialect.fixedLengths[e.tag];
  if (fixed !== undefined && e.length !== fixed) {
    problems.add('tlv-bad-length', 'error', `${e.name} at byte ${e.offset} must be ${fixed} byte(s) long but its length field says ${e.length}.`, e.range);
    return;
  }
  if (e.truncated) return;
  const r = e.raw;
  e.value = headerValue(e.tag, r) ?? dialect.extraValue?.(e.tag, r) ?? e.value;
  if (e.tag === HeaderTag.HASH_ALGORITHM && !HASH_ALGORITHMS[r[0]]) {
    problems.add('tlv-bad-value', 'error', `DIGESTALGORITHM ${r[0]} is not a known hash code (1 = SHA-1, 2 = SHA-256, 3 = SHA-512): phones cannot check this signature.`, e.range);
  }
}

function headerValue(tag: number, r: Buffer): ElementValue | undefined {
  switch (tag) {
    case HeaderTag.VERSION:
    case HeaderTag.SIGNER_VERSION:
      return { kind: 'version', major: r[0], minor: r[1] };
    case HeaderTag.HEADER_LENGTH:
      return { kind: 'u16', value: r.readUInt16BE(0) };
    case HeaderTag.SIGNER_NAME:
    case HeaderTag.ISSUER_NAME:
    case HeaderTag.FILENAME:
      return { kind: 'string', text: cString(r) };
    case HeaderTag.HASH_ALGORITHM:
      return { kind: 'hashAlgorithm', code: r[0], name: HASH_ALGORITHMS[r[0]]?.name ?? `unknown (${r[0]})` };
    case HeaderTag.SIGNATURE_ALGORITHM:
    case HeaderTag.SIGNATURE_MODULUS:
      return { kind: 'u8', value: r[0] };
    case HeaderTag.TIMESTAMP: {
      const seconds = r.readUInt32BE(0);
      return { kind: 'timestamp', seconds, date: new Date(seconds * 1000).toISOString() };
    }
    default:
      return undefined;
  }
}

function recordValue(e: TlvElement, problems: Problems): void {
  const fixed = RECORD_FIXED_LENGTHS[e.tag];
  if (fixed !== undefined && e.length !== fixed) {
    problems.add('tlv-bad-length', 'error', `${e.name} at byte ${e.offset} must be ${fixed} byte(s) long but its length field says ${e.length}.`, e.range);
    return;
  }
  if (e.truncated) return;
  const r = e.raw;
  switch (e.tag) {
    case RecordTag.RECORD_LENGTH:
      e.value = { kind: 'u16', value: r.readUInt16BE(0) };
      break;
    case RecordTag.DNS_NAME:
    case RecordTag.SUBJECT_NAME:
    case RecordTag.ISSUER_NAME:
      e.value = { kind: 'string', text: cString(r) };
      break;
    case RecordTag.FUNCTION: {
      const code = r.readUInt16BE(0);
      e.value = { kind: 'role', code, name: ROLE_NAMES[code] ?? String(code) };
      break;
    }
    case RecordTag.IP_ADDRESS:
      e.value = { kind: 'ip', text: r.length === 4 ? [...r].join('.') : r.length === 16 ? (r.toString('hex').match(/.{4}/g) ?? []).join(':') : cString(r) };
      break;
    case RecordTag.HASH_ALGORITHM:
      e.value = { kind: 'hashAlgorithm', code: r[0], name: HASH_ALGORITHMS[r[0]]?.name ?? 'null' };
      break;
  }
}

/** Parses the children of a header container in [start, end). */
function readContainerChildren(buf: Buffer, container: TlvElement, problems: Problems, depth: number, dialect: HeaderDialect): TlvElement[] {
  const children: TlvElement[] = [];
  const end = Math.min(container.valueOffset + container.length, buf.length);
  let pos = container.valueOffset;
  while (pos < end) {
    const child = readElement(buf, pos, 'header', problems, dialect);
    if (!child) break;
    if (child.range.end < child.valueOffset + child.length && !child.truncated) break;
    if (child.valueOffset + (child.tag === HeaderTag.PADDING ? 0 : child.length) > end && !child.truncated) {
      problems.add(
        'tlv-bad-length',
        'error',
        `${child.name} at byte ${child.offset} runs ${child.valueOffset + child.length - end} byte(s) past the end of its container ${container.name} (which declares ${container.length} bytes).`,
        child.range,
      );
    }
    finishHeaderElement(buf, child, problems, depth + 1, dialect);
    children.push(child);
    pos = Math.max(child.range.end, pos + 1);
  }
  return children;
}

function finishHeaderElement(buf: Buffer, e: TlvElement, problems: Problems, depth: number, dialect: HeaderDialect): void {
  if (!isKnown('header', e.tag, dialect)) {
    problems.add('tlv-unknown-tag', 'warning', `Unknown header tag ${e.tag} at byte ${e.offset} (${e.length} bytes): skipped.`, e.range);
    return;
  }
  if (dialect.containers.has(e.tag)) {
    if (depth < 4) e.children = readContainerChildren(buf, e, problems, depth, dialect);
    const end = Math.min(e.valueOffset + e.length, buf.length);
    e.range = { start: e.offset, end };
    if (e.valueOffset + e.length > buf.length) {
      problems.add('tlv-truncated', 'error', `${e.name} at byte ${e.offset} declares ${e.length} bytes but the file ends first: the file is truncated.`, e.range);
    }
    return;
  }
  decodeHeaderValue(e, problems, dialect);
}

/**
 * Decodes the header of a .tlv trust list or of a signed file: every element with its byte range, the named
 * fields, and the faults found (into `problems`). `header.range.end` is where the records or the payload start.
 */
export function decodeHeader(buf: Buffer, problems: Problems, dialect: HeaderDialect = TRUST_LIST_HEADER): TrustListHeader {
  const header: TrustListHeader = { range: { start: 0, end: 0 }, elements: [] };
  let limit = buf.length;
  let declared: number | undefined;
  let pos = 0;
  const seen = new Set<number>();
  while (pos < limit) {
    // Without a usable HEADER_LENGTH, a second VERSION-like tag 1 (length 2) marks the first record.
    if (declared === undefined && seen.has(HeaderTag.VERSION) && buf[pos] === 1 && pos + 3 <= buf.length && buf.readUInt16BE(pos + 1) === 2) break;
    const e = readElement(buf, pos, 'header', problems, dialect);
    if (!e) break;
    finishHeaderElement(buf, e, problems, 0, dialect);
    if (seen.has(e.tag) && e.tag !== HeaderTag.PADDING && isKnown('header', e.tag, dialect)) {
      problems.add('tlv-duplicate-tag', 'warning', `${e.name} appears twice in the header (again at byte ${e.offset}).`, e.range);
    }
    seen.add(e.tag);
    header.elements.push(e);
    if (e.tag === HeaderTag.HEADER_LENGTH && e.value.kind === 'u16' && declared === undefined) {
      const v = e.value.value;
      header.headerLength = v;
      if (v < e.range.end || v > buf.length) {
        problems.add(
          'header-length-mismatch',
          'error',
          v > buf.length
            ? `HEADERLENGTH says ${v} bytes but the file is only ${buf.length} bytes long.`
            : `HEADERLENGTH says ${v} bytes, which ends inside the header elements themselves.`,
          e.range,
        );
      } else {
        declared = v;
        limit = v;
      }
      if (v % 4 !== 0) {
        problems.add('header-length-unaligned', 'warning', `HEADERLENGTH ${v} is not a multiple of 4: CUCM pads the header with 0x0D bytes so that it is.`, e.range);
      }
    }
    const elementEnd = e.tag === HeaderTag.PADDING ? e.range.end : e.valueOffset + e.length;
    if (declared !== undefined && elementEnd > declared && !e.truncated) {
      problems.add(
        'header-length-mismatch',
        'error',
        `${e.name} at byte ${e.offset} runs to byte ${elementEnd}, past the end of the header that HEADERLENGTH declares (${declared}).`,
        e.range,
      );
      limit = Math.min(buf.length, Math.max(limit, elementEnd));
    }
    pos = Math.max(e.range.end, pos + 1);
  }
  header.range = { start: 0, end: Math.min(pos, buf.length) };
  // A header cut short by the element budget is reported as such (decodeTrustList), not as incomplete.
  const whole = problems.stoppedAt === undefined;
  if (whole && declared !== undefined && pos < declared) {
    problems.add('header-length-mismatch', 'error', `HEADERLENGTH says ${declared} bytes but the header elements end at byte ${pos}.`, {
      start: pos,
      end: declared,
    });
  }
  if (whole && declared === undefined && header.headerLength === undefined && buf.length > 0) {
    problems.add('header-missing-element', 'error', 'The header has no HEADERLENGTH element: phones cannot find where the records start.', {
      start: 0,
      end: Math.min(buf.length, Math.max(1, header.range.end)),
    });
  }
  // Pull the named fields out of the elements.
  const all: TlvElement[] = [];
  const walk = (list: TlvElement[]) => list.forEach((x) => (all.push(x), x.children && walk(x.children)));
  walk(header.elements);
  for (const e of all) {
    if (e.truncated) continue;
    const v = e.value;
    switch (e.tag) {
      case HeaderTag.VERSION:
        if (v.kind === 'version') header.version = `${v.major}.${v.minor}`;
        break;
      case HeaderTag.SIGNER_NAME:
        if (v.kind === 'string') header.signerName = v.text;
        break;
      case HeaderTag.ISSUER_NAME:
        if (v.kind === 'string') header.signerIssuer = v.text;
        break;
      case HeaderTag.SERIAL_NUMBER:
        header.signerSerial = Buffer.from(e.raw);
        break;
      case HeaderTag.HASH_ALGORITHM:
        if (v.kind === 'hashAlgorithm') header.hashAlgorithm = v.code;
        break;
      case HeaderTag.SIGNATURE_ALGORITHM:
        if (v.kind === 'u8') header.signatureAlgorithm = v.value;
        break;
      case HeaderTag.SIGNATURE_MODULUS:
        if (v.kind === 'u8') header.signatureModulus = v.value;
        break;
      case HeaderTag.SIGNATURE:
        header.signature = e;
        break;
      case HeaderTag.FILENAME:
        if (v.kind === 'string') header.filename = v.text;
        break;
      case HeaderTag.TIMESTAMP:
        if (v.kind === 'timestamp') header.timestamp = v.seconds;
        break;
      case HeaderTag.SIGNER_VERSION:
        if (v.kind === 'version') header.signerVersion = `${v.major}.${v.minor}`;
        break;
    }
  }
  if (whole && buf.length > 0) {
    const missing = (
      [
        [HeaderTag.VERSION, 'VERSION'],
        [HeaderTag.SIGNER_NAME, 'SIGNERNAME'],
        [HeaderTag.SERIAL_NUMBER, 'SERIALNUMBER'],
        [HeaderTag.HASH_ALGORITHM, 'DIGESTALGORITHM'],
        [HeaderTag.SIGNATURE, 'SIGNATURE'],
      ] as const
    ).filter(([tag]) => !all.some((e) => e.tag === tag));
    if (missing.length) {
      problems.add(
        'header-missing-element',
        'error',
        `The header lacks ${missing.map(([, n]) => n).join(', ')}: phones cannot verify who signed this file.`,
        { start: 0, end: Math.max(1, header.range.end) },
      );
    }
    if (header.signature && header.signatureModulus !== undefined) {
      const expected = SIGNATURE_MODULUS_SIZES[header.signatureModulus];
      if (expected !== undefined && expected !== header.signature.length) {
        problems.add(
          'tlv-bad-value',
          'warning',
          `SIGNATUREMODULUS ${header.signatureModulus} announces a ${expected}-byte signature but SIGNATURE holds ${header.signature.length} bytes.`,
          header.signature.range,
        );
      }
    }
  }
  return header;
}

function looksLikeRecordStart(buf: Buffer, pos: number): boolean {
  return pos === buf.length || (pos + 5 <= buf.length && buf[pos] === RecordTag.RECORD_LENGTH && buf.readUInt16BE(pos + 1) === 2);
}

function decodeRecord(buf: Buffer, start: number, index: number, problems: Problems): TrustRecord {
  const record: TrustRecord = { index, range: { start, end: start }, elements: [] };
  let pos = start;
  let declaredEnd: number | undefined;
  const first = readElement(buf, pos, 'record', problems);
  if (first && first.tag === RecordTag.RECORD_LENGTH) {
    recordValue(first, problems);
    record.elements.push(first);
    pos = first.range.end;
    if (first.value.kind === 'u16') {
      record.recordLength = first.value.value;
      const end = start + first.value.value;
      if (first.value.value < 5) {
        problems.add('record-length-mismatch', 'error', `Record #${index}: RECORDLENGTH ${first.value.value} is shorter than the RECORDLENGTH element itself.`, first.range);
      } else if (end > buf.length) {
        problems.add(
          'tlv-truncated',
          'error',
          `Record #${index} declares ${first.value.value} bytes but only ${buf.length - start} remain: the file is truncated.`,
          { start, end: buf.length },
        );
        declaredEnd = buf.length;
      } else declaredEnd = end;
    }
  } else if (first) {
    problems.add('record-missing-element', 'error', `Record #${index} at byte ${start} does not start with RECORDLENGTH (found tag ${first.tag}).`, {
      start,
      end: Math.min(buf.length, start + 1),
    });
  }
  const limit = declaredEnd ?? buf.length;
  const seen = new Set<number>([RecordTag.RECORD_LENGTH]);
  let actualEnd = pos;
  while (pos < limit) {
    // A RECORDLENGTH inside a record means the declared length ran over into the next record.
    if (looksLikeRecordStart(buf, pos) && pos < buf.length) {
      if (declaredEnd !== undefined) {
        problems.add(
          'record-length-mismatch',
          'error',
          `Record #${index}: RECORDLENGTH says ${record.recordLength} bytes but its elements end after ${pos - start}, where the next record starts.`,
          record.elements[0]?.range ?? { start, end: pos },
        );
      }
      declaredEnd = undefined;
      break;
    }
    const e = readElement(buf, pos, 'record', problems);
    if (!e) break;
    if (!isKnown('record', e.tag)) {
      problems.add('tlv-unknown-tag', 'warning', `Record #${index}: unknown tag ${e.tag} at byte ${e.offset} (${e.length} bytes): skipped.`, e.range);
    } else {
      if (seen.has(e.tag)) problems.add('tlv-duplicate-tag', 'warning', `Record #${index}: ${e.name} appears twice (again at byte ${e.offset}).`, e.range);
      seen.add(e.tag);
      recordValue(e, problems);
    }
    record.elements.push(e);
    const elementEnd = e.valueOffset + e.length;
    if (declaredEnd !== undefined && elementEnd > declaredEnd && !e.truncated) {
      problems.add(
        'record-length-mismatch',
        'error',
        `Record #${index}: ${e.name} at byte ${e.offset} runs to byte ${elementEnd}, past the ${record.recordLength} bytes that RECORDLENGTH declares.`,
        e.range,
      );
      // Resynchronise where a record plausibly starts: the declared end, else the element's end.
      const next = looksLikeRecordStart(buf, declaredEnd) ? declaredEnd : elementEnd;
      record.range = { start, end: Math.min(buf.length, next) };
      fillRecord(record);
      return record;
    }
    pos = Math.max(e.range.end, pos + 1);
    actualEnd = pos;
  }
  record.range = { start, end: Math.min(buf.length, declaredEnd ?? actualEnd) };
  fillRecord(record);
  const missing: string[] = [];
  if (record.recordLength === undefined) return record;
  if (record.role === undefined) missing.push('FUNCTION');
  if (record.subject === undefined) missing.push('SUBJECTNAME');
  if (!record.certificate && !record.certHash && !record.publicKey) missing.push('CERTIFICATE or CERTHASH');
  if (missing.length && record.range.end > record.range.start) {
    problems.add('record-missing-element', 'error', `Record #${index} lacks ${missing.join(', ')}: phones cannot use it.`, record.elements[0]?.range ?? record.range);
  }
  return record;
}

function fillRecord(r: TrustRecord): void {
  for (const e of r.elements) {
    if (e.truncated) continue;
    const v = e.value;
    switch (e.tag) {
      case RecordTag.DNS_NAME:
        if (v.kind === 'string') r.dnsName = v.text;
        break;
      case RecordTag.SUBJECT_NAME:
        if (v.kind === 'string') r.subject = v.text;
        break;
      case RecordTag.FUNCTION:
        if (v.kind === 'role') (r.role = v.code), (r.roleName = v.name);
        break;
      case RecordTag.ISSUER_NAME:
        if (v.kind === 'string') r.issuer = v.text;
        break;
      case RecordTag.SERIAL_NUMBER:
        r.serial = Buffer.from(e.raw);
        break;
      case RecordTag.PUBLIC_KEY:
        r.publicKey = Buffer.from(e.raw);
        break;
      case RecordTag.SIGNATURE:
        r.signature = Buffer.from(e.raw);
        break;
      case RecordTag.CERTIFICATE:
        r.certificate = Buffer.from(e.raw);
        break;
      case RecordTag.IP_ADDRESS:
        if (v.kind === 'ip') r.ipAddress = v.text;
        break;
      case RecordTag.CERT_HASH:
        r.certHash = Buffer.from(e.raw);
        break;
      case RecordTag.HASH_ALGORITHM:
        if (v.kind === 'hashAlgorithm') r.certHashAlgorithm = v.code;
        break;
    }
  }
}

/**
 * Records and elements read at most; the rest of a file that holds more is not read (and a problem says so). A
 * trust list phones take holds at most 39 records (rules/trustListStructure.ts) of about 12 elements. The limits
 * bound the work a crafted file costs, in the decoder and in everything that shows its elements.
 */
export const MAX_DECODED_RECORDS = 1_000;
export const MAX_DECODED_ELEMENTS = 5_000;

export interface TrustListDecodeOptions {
  /** larger files are not decoded (the language server passes EDITOR_MAX_DECODED_BYTES; default: no limit) */
  maxBytes?: number;
  /** records read at most (default MAX_DECODED_RECORDS) */
  maxRecords?: number;
  /** elements read at most, header and records together (default MAX_DECODED_ELEMENTS) */
  maxElements?: number;
}

/** Decodes a trust list. `fileName` only helps tell ITL from CTL when the FILENAME element is unreadable. */
export function decodeTrustList(bytes: Uint8Array, fileName?: string, options: TrustListDecodeOptions = {}): TrustList {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const problems = new Problems(buf.length, options.maxElements ?? MAX_DECODED_ELEMENTS);
  const maxBytes = options.maxBytes ?? Infinity;
  const maxRecords = options.maxRecords ?? MAX_DECODED_RECORDS;
  if (buf.length > maxBytes) {
    const tooLarge: TlvProblem = { code: 'file-too-large-to-decode', severity: 'error', message: tooLargeToDecodeMessage(buf.length, maxBytes), range: { start: 0, end: buf.length } };
    const header: TrustListHeader = { range: { start: 0, end: 0 }, elements: [] };
    return { kind: trustListKindFromName(fileName), size: buf.length, header, records: [], problems: [tooLarge], stoppedAt: 0 };
  }
  if (buf.length === 0) {
    problems.add('file-empty', 'error', 'The file is empty (0 bytes): phones reject it as an invalid trust list. Copy the file again from the TFTP server.', {
      start: 0,
      end: 0,
    });
    return { kind: kindOf(undefined, fileName), size: 0, header: { range: { start: 0, end: 0 }, elements: [] }, records: [], problems: problems.finish() };
  }
  const header = decodeHeader(buf, problems);
  const records: TrustRecord[] = [];
  let pos = header.range.end;
  while (pos < buf.length && records.length < maxRecords && problems.stoppedAt === undefined) {
    const r = decodeRecord(buf, pos, records.length + 1, problems);
    if (r.elements.length === 0 && problems.stoppedAt !== undefined) break;
    records.push(r);
    pos = Math.max(r.range.end, pos + 1);
  }
  const list: TrustList = { kind: kindOf(header.filename, fileName), size: buf.length, header, records, problems: problems.finish() };
  const stoppedAt = problems.stoppedAt ?? (pos < buf.length ? pos : undefined);
  if (stoppedAt !== undefined) {
    // Always listed, past the cap on problems: the file is not verified because of it.
    const byElements = problems.stoppedAt !== undefined;
    list.problems.push(stoppedEarly(byElements ? 'elements' : 'records', byElements ? (options.maxElements ?? MAX_DECODED_ELEMENTS) : records.length, stoppedAt, buf.length));
    list.stoppedAt = stoppedAt;
  }
  return list;
}

/**
 * The error of a decode that stopped at byte `stoppedAt` after reading `count` records or elements (its limit):
 * `tlv-too-many-records` or `tlv-too-many-elements`, over the bytes not read.
 */
export function stoppedEarly(what: 'records' | 'elements', count: number, stoppedAt: number, size: number): TlvProblem {
  const n = (x: number) => x.toLocaleString('en-US');
  return {
    code: what === 'records' ? 'tlv-too-many-records' : 'tlv-too-many-elements',
    severity: 'error',
    message: `ITL Lens read ${n(count)} ${what} and stopped at byte ${stoppedAt} ${hex(stoppedAt)}: the remaining ${n(size - stoppedAt)} bytes were not read, so the file is neither shown whole nor verified. A trust list phones accept holds at most 39 records of about 12 elements each, and a signed file's header about 15 elements; check that this is the file you meant.`,
    range: { start: stoppedAt, end: size },
  };
}

/** The kind a file name (path or URI; its last segment counts) tells: CTL… or ITL… (any case), else TLV. */
export function trustListKindFromName(fileName: string | undefined): TrustList['kind'] {
  const base = (fileName ?? '').split(/[\\/]/).pop()?.toUpperCase() ?? '';
  if (base.startsWith('CTL')) return 'CTL';
  if (base.startsWith('ITL')) return 'ITL';
  return 'TLV';
}

/** The header's FILENAME decides; when it names neither kind (or is absent), the file's own name does. */
function kindOf(filenameTag: string | undefined, fileName: string | undefined): TrustList['kind'] {
  const kind = trustListKindFromName(filenameTag);
  return kind !== 'TLV' ? kind : trustListKindFromName(fileName);
}
