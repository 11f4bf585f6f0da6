/**
 * Hostile inputs of any size, for the linear-time test (pathologicalInputs.test.ts) and for measuring decode time
 * per MB. Each input names the decoder it aims at, the file name it is decoded as, and how to make it at a size.
 */
import * as fs from 'node:fs';
import { readDerNode } from '../../../server/src/core/asn1/der';
import { decodeCertificateFile } from '../../../server/src/core/cert/certificateFile';
import { derWriter as w } from '../../../server/src/core/cert/decodeCertificate';
import { findPemBlocks } from '../../../server/src/core/cert/pem';
import { decodeSignedFile } from '../../../server/src/core/sgn/decode';
import { decodeTrustList } from '../../../server/src/core/tlv/decode';
import { verifyTrustList } from '../../../server/src/core/tlv/verify';
import { documentSymbols } from '../../../server/src/lsp/features/symbols';
import { foldingRanges } from '../../../server/src/lsp/features/folding';
import { ResolvedDocument } from '../../../server/src/lsp/workspaceSession';
import { diagnoseFile } from '../../../server/src/rules/runRules';
import { sourceLocation } from '../../../server/src/rules/sourceLocation';
import { renderFileView } from '../../../server/src/views/renderFile';
import { renderSignedFileView } from '../../../server/src/views/signedFileView';
import { lineForTarget } from '../../../server/src/views/viewTargets';
import { decodeWorkspaceFile, FileSource } from '../../../server/src/workspace/decodeFile';
import { WorkspaceIndex } from '../../../server/src/workspace/workspaceIndex';
import { fixturePath, TEST_NOW } from '../../helpers/fixtures';

export const MB = 1024 * 1024;

export type DecoderName = 'pem' | 'der' | 'certificate' | 'tlv' | 'sgn';

export interface Hostile {
  name: string;
  decoder: DecoderName;
  file: string;
  make(size: number): Buffer;
}

/** `unit` repeated until the result holds at least `size` bytes. */
export function repeat(unit: Buffer | string, size: number): Buffer {
  const b = Buffer.from(unit);
  return Buffer.alloc(Math.ceil(size / b.length) * b.length, b);
}

/** A certificate-shaped DER with one extension (`oid`, unknown by default) whose value is `extensionValue`. */
function certificateWithExtension(extensionValue: Buffer, oid = '1.2.3.4.5'): Buffer {
  const seq = (...parts: Buffer[]) => w.tlv(0x30, Buffer.concat(parts));
  const name = seq(w.tlv(0x31, seq(w.oid('2.5.4.3'), w.tlv(0x0c, Buffer.from('big')))));
  const alg = seq(w.oid('1.2.840.113549.1.1.11'), w.tlv(0x05, Buffer.alloc(0)));
  const spki = seq(seq(w.oid('1.2.840.10045.2.1'), w.oid('1.2.840.10045.3.1.7')), w.bitString(Buffer.alloc(65, 4)));
  const validity = seq(w.tlv(0x17, Buffer.from('300101000000Z')), w.tlv(0x17, Buffer.from('310101000000Z')));
  const extension = seq(w.oid(oid), w.tlv(0x04, extensionValue));
  const tbs = seq(w.tlv(0xa0, w.tlv(0x02, Buffer.from([2]))), w.tlv(0x02, Buffer.from([1])), alg, name, validity, name, spki, w.tlv(0xa3, seq(extension)));
  return seq(tbs, alg, w.bitString(Buffer.alloc(64, 1)));
}

/** Nested SEQUENCEs (6 bytes of header each) around nothing, filling `size` bytes. */
function deepNesting(size: number): Buffer {
  const depth = Math.floor(size / 6);
  const b = Buffer.alloc(depth * 6);
  for (let i = 0; i < depth; i++) {
    b[i * 6] = 0x30;
    b[i * 6 + 1] = 0x84;
    b.writeUInt32BE((depth - i - 1) * 6, i * 6 + 2);
  }
  return b;
}

function pemOf(der: Buffer): Buffer {
  return Buffer.from(`-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
}

/** A trust list's header (VERSION, HEADERLENGTH 12, PADDING) followed by `body`. */
function trustList(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([1, 0, 2, 1, 2, 2, 0, 2, 0, 12, 13, 13]), body]);
}

/** A signed file's header (VERSION 1.0, HEADERLENGTH 12, PADDING) followed by `payload`. */
function signedFile(payload: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from([1, 0, 2, 1, 0, 2, 0, 2, 0, 12, 13, 13]), Buffer.from(payload)]);
}

const validPem = () => fs.readFileSync(fixturePath('certs/valid.pem'));
const itlRecords = () => {
  const itl = fs.readFileSync(fixturePath('cluster/ITLFile.tlv'));
  return itl.subarray(itl.readUInt16BE(4)); // HEADERLENGTH is the second element
};

export const HOSTILE: Hostile[] = [
  { name: 'repeated BEGIN lines (no END)', decoder: 'pem', file: 'dos.pem', make: (n) => repeat('-----BEGIN A-----\n', n) },
  { name: 'repeated BEGIN CERTIFICATE lines (no END)', decoder: 'pem', file: 'dos.pem', make: (n) => repeat('-----BEGIN CERTIFICATE-----\n', n) },
  { name: 'BEGIN markers on one line', decoder: 'pem', file: 'dos.pem', make: (n) => repeat('-----BEGIN CERTIFICATE-----', n) },
  { name: 'BEGIN lines each with the END of another label', decoder: 'pem', file: 'dos.pem', make: (n) => repeat('-----BEGIN A-----\n-----END B-----\n', n) },
  { name: 'one BEGIN, then END lines of another label', decoder: 'pem', file: 'dos.pem', make: (n) => Buffer.concat([Buffer.from('-----BEGIN A-----\n'), repeat('-----END B-----\n', n)]) },
  { name: 'END lines only', decoder: 'pem', file: 'dos.pem', make: (n) => repeat('-----END CERTIFICATE-----\n', n) },
  { name: 'empty BEGIN/END pairs by the thousand', decoder: 'pem', file: 'bundle.pem', make: (n) => repeat('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', n) },
  { name: 'BEGIN/END pairs of a real certificate by the thousand', decoder: 'certificate', file: 'bundle.pem', make: (n) => repeat(validPem(), n) },
  { name: 'an unterminated block of one multi-MB base64 line', decoder: 'pem', file: 'noise.pem', make: (n) => Buffer.concat([Buffer.from('-----BEGIN CERTIFICATE-----\n'), repeat('QUJD', n)]) },
  { name: 'a multi-MB certificate in PEM', decoder: 'certificate', file: 'big.pem', make: (n) => pemOf(certificateWithExtension(Buffer.alloc(Math.floor((n * 3) / 4), 0x41))) },
  { name: 'a multi-MB certificate in DER', decoder: 'certificate', file: 'big.der', make: (n) => certificateWithExtension(Buffer.alloc(n, 0x41)) },
  { name: 'deep DER nesting', decoder: 'der', file: 'deep.der', make: deepNesting },
  { name: 'deep DER nesting in PEM', decoder: 'certificate', file: 'deep.pem', make: (n) => pemOf(deepNesting(Math.floor((n * 3) / 4))) },
  { name: 'a subjectAltName of a million empty DNS names', decoder: 'certificate', file: 'wide.der', make: (n) => certificateWithExtension(w.tlv(0x30, repeat(Buffer.from([0x82, 0]), n)), '2.5.29.17') },
  { name: 'a SEQUENCE of a million empty SEQUENCEs', decoder: 'der', file: 'wide.der', make: (n) => w.tlv(0x30, repeat(Buffer.from([0x30, 0]), n)) },
  { name: 'minimal .tlv records by the thousand', decoder: 'tlv', file: 'ITLFile.tlv', make: (n) => trustList(repeat(Buffer.from([1, 0, 2, 0, 5]), n)) },
  { name: 'real .tlv records by the thousand', decoder: 'tlv', file: 'ITLFile.tlv', make: (n) => trustList(repeat(itlRecords(), n)) },
  { name: 'a .tlv record of tiny elements', decoder: 'tlv', file: 'ITLFile.tlv', make: (n) => trustList(Buffer.concat([Buffer.from([1, 0, 2, 0xff, 0xff]), repeat(Buffer.from([3, 0, 0]), n)])) },
  { name: 'a .tlv header of PADDING bytes', decoder: 'tlv', file: 'ITLFile.tlv', make: (n) => Buffer.concat([Buffer.from([1, 0, 2, 1, 2]), repeat(Buffer.from([13]), n)]) },
  { name: 'a .tlv header of tiny elements', decoder: 'tlv', file: 'ITLFile.tlv', make: (n) => Buffer.concat([Buffer.from([1, 0, 2, 1, 2]), repeat(Buffer.from([3, 0, 0]), n)]) },
  { name: '.tlv records of 64 KB elements', decoder: 'tlv', file: 'ITLFile.tlv', make: (n) => trustList(repeat(Buffer.concat([Buffer.from([1, 0, 2, 0xff, 0xff, 8, 0xff, 0xf7]), Buffer.alloc(0xfff7, 0x30)]), n)) },
  { name: 'a .sgn header of tiny elements', decoder: 'sgn', file: 'SEP001122334455.cnf.xml.sgn', make: (n) => Buffer.concat([Buffer.from([1, 0, 2, 1, 0]), repeat(Buffer.from([3, 0, 0]), n)]) },
  { name: 'a .sgn of a multi-MB XML payload of tiny elements', decoder: 'sgn', file: 'SEP001122334455.cnf.xml.sgn', make: (n) => signedFile(repeat('<a/>', n)) },
  { name: 'a .sgn of XML nested deeper than the outline reads', decoder: 'sgn', file: 'SEP001122334455.cnf.xml.sgn', make: (n) => signedFile(repeat('<a>', n)) },
  { name: 'a .sgn of XML end tags only', decoder: 'sgn', file: 'SEP001122334455.cnf.xml.sgn', make: (n) => signedFile(Buffer.concat([Buffer.from('<a>'), repeat('</b>', n)])) },
  { name: 'a .sgn of XML with one unterminated comment', decoder: 'sgn', file: 'SEP001122334455.cnf.xml.sgn', make: (n) => signedFile(Buffer.concat([Buffer.from('<a><!--'), repeat('<b>', n)])) },
  { name: 'a .sgn of XML: long element names nested 64 deep', decoder: 'sgn', file: 'SEP001122334455.cnf.xml.sgn', make: (n) => signedFile(repeat(`<${'x'.repeat(Math.max(1, Math.floor(n / 64)))}>`, n)) },
];

/**
 * The decoder an input aims at, alone. `limits` lifted: without the decoders' count limits (PEM blocks, records,
 * elements, DER nodes), so that the scan itself is measured; else with them, as the program calls it.
 */
export function decodeAlone(h: Hostile, bytes: Buffer, limits: 'kept' | 'lifted' = 'kept'): void {
  const lifted = limits === 'lifted';
  switch (h.decoder) {
    case 'pem':
      if (lifted) findPemBlocks(bytes.toString('utf8'));
      else decodeCertificateFile(bytes);
      return;
    case 'der':
      readDerNode(bytes, 0, bytes.length, 0, 64, lifted ? { nodes: Infinity } : undefined);
      return;
    case 'certificate':
      decodeCertificateFile(bytes, lifted ? { maxBlocks: Infinity } : {});
      return;
    case 'tlv':
      verifyTrustList(bytes, decodeTrustList(bytes, h.file, lifted ? { maxRecords: Infinity, maxElements: Infinity } : {}));
      return;
    case 'sgn':
      decodeSignedFile(bytes, h.file);
      return;
  }
}

/**
 * What the editor and the CLI do with a file, with the decoders' own limits: decode, check, render, diagnose,
 * place each diagnostic, outline and fold it. Signed files (which the editor does not open) are decoded and
 * rendered as `itl-lens decode` does. No size limit: the decoders and everything after them run on the whole input.
 */
export function decodeAndShow(h: Hostile, bytes: Buffer): void {
  if (h.decoder === 'sgn') {
    renderSignedFileView(decodeSignedFile(bytes, h.file), { fileName: h.file, now: TEST_NOW, verdict: 'not checked' });
    return;
  }
  const src: FileSource = { uri: `file:///hostile/${h.file}`, path: `/hostile/${h.file}`, name: h.file, bytes };
  const file = decodeWorkspaceFile(src);
  if (!file) throw new Error(`${h.name}: not decoded`);
  const view = renderFileView(file, { fileName: h.file, now: TEST_NOW });
  const index = new WorkspaceIndex();
  index.set(file);
  for (const d of diagnoseFile(file, { now: TEST_NOW, nearExpiryDays: 30, index })) {
    sourceLocation(file, d.target);
    lineForTarget(view, d.target);
  }
  const doc: ResolvedDocument =
    file.kind === 'certificate' && file.file.format === 'pem' ? { kind: 'pem', uri: src.uri, file } : { kind: 'view', uri: `itl-lens-view:${src.uri}`, file, view };
  documentSymbols(doc);
  foldingRanges(doc);
}

/** Milliseconds `run` takes, the best of up to `tries` runs, stopping early once a run is within `enough`. */
export function bestMillis(run: () => void, tries = 3, enough = 0): number {
  let best = Infinity;
  for (let i = 0; i < tries && best > enough; i++) {
    const t = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}
