/**
 * Hostile inputs by the megabyte: every decoder (PEM scan, DER reader, certificate decoder, .tlv decoder),
 * the signature check, the views, the rules and the editor's per-file features must take time linear in
 * the input. Each input is decoded at a few sizes; at each size the best of up to three runs must stay within
 * a budget of 50 ms per MB (plus a fixed 25 ms for warm-up and timer noise). Quadratic code fails at the first
 * size (a 64 KB file of repeated BEGIN lines took 0.7 s before the PEM scan was made one pass; 4 MB would
 * have taken hours). The budget is wide for a loaded 2-core machine: the linear code runs these several
 * times faster. The decoders' size limit (decodeLimit.ts) is lifted here so that the decoders themselves run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { derWriter as w } from '../../../server/src/core/cert/decodeCertificate';
import { diagnoseFile } from '../../../server/src/rules/runRules';
import { sourceLocation } from '../../../server/src/rules/sourceLocation';
import { renderFileView } from '../../../server/src/views/renderFile';
import { lineForTarget } from '../../../server/src/views/viewTargets';
import { decodeWorkspaceFile, FileSource } from '../../../server/src/workspace/decodeFile';
import { WorkspaceIndex } from '../../../server/src/workspace/workspaceIndex';
import { documentSymbols } from '../../../server/src/lsp/features/symbols';
import { foldingRanges } from '../../../server/src/lsp/features/folding';
import { ResolvedDocument } from '../../../server/src/lsp/session';
import { fixturePath, TEST_NOW } from '../../helpers/fixtures';

const MB = 1024 * 1024;
const BUDGET_MS_PER_MB = 50;
const BUDGET_FIXED_MS = 25;
const SIZES = [64 * 1024, 1 * MB, 4 * MB];

/** `unit` repeated until the result holds at least `size` bytes. */
function repeat(unit: Buffer | string, size: number): Buffer {
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

/** `depth` nested SEQUENCEs (6 bytes of header each) around nothing. */
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

/** A trust list's header (VERSION, HEADERLENGTH) followed by `body`. */
function trustList(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([1, 0, 2, 1, 2, 2, 0, 2, 0, 12, 13, 13]), body]);
}

interface Hostile {
  name: string;
  file: string;
  make(size: number): Buffer;
}

const validPem = () => fs.readFileSync(fixturePath('certs/valid.pem'));
const itlRecords = () => {
  const itl = fs.readFileSync(fixturePath('cluster/ITLFile.tlv'));
  return itl.subarray(itl.readUInt16BE(4)); // HEADERLENGTH is the second element
};

const HOSTILE: Hostile[] = [
  { name: 'repeated BEGIN lines (no END)', file: 'dos.pem', make: (n) => repeat('-----BEGIN A-----\n', n) },
  { name: 'repeated BEGIN CERTIFICATE lines (no END)', file: 'dos.pem', make: (n) => repeat('-----BEGIN CERTIFICATE-----\n', n) },
  { name: 'BEGIN markers on one line', file: 'dos.pem', make: (n) => repeat('-----BEGIN CERTIFICATE-----', n) },
  { name: 'BEGIN lines each with the END of another label', file: 'dos.pem', make: (n) => repeat('-----BEGIN A-----\n-----END B-----\n', n) },
  { name: 'END lines only', file: 'dos.pem', make: (n) => repeat('-----END CERTIFICATE-----\n', n) },
  { name: 'empty BEGIN/END pairs by the thousand', file: 'bundle.pem', make: (n) => repeat('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', n) },
  { name: 'BEGIN/END pairs of a real certificate by the thousand', file: 'bundle.pem', make: (n) => repeat(validPem(), n) },
  { name: 'an unterminated block of one multi-MB base64 line', file: 'noise.pem', make: (n) => Buffer.concat([Buffer.from('-----BEGIN CERTIFICATE-----\n'), repeat('QUJD', n)]) },
  { name: 'a multi-MB certificate in PEM', file: 'big.pem', make: (n) => pemOf(certificateWithExtension(Buffer.alloc(Math.floor((n * 3) / 4), 0x41))) },
  { name: 'a multi-MB certificate in DER', file: 'big.der', make: (n) => certificateWithExtension(Buffer.alloc(n, 0x41)) },
  { name: 'deep DER nesting', file: 'deep.der', make: deepNesting },
  { name: 'deep DER nesting in PEM', file: 'deep.pem', make: (n) => pemOf(deepNesting(Math.floor((n * 3) / 4))) },
  { name: 'a subjectAltName of a million empty DNS names', file: 'wide.der', make: (n) => certificateWithExtension(w.tlv(0x30, repeat(Buffer.from([0x82, 0]), n)), '2.5.29.17') },
  { name: 'a SEQUENCE of a million empty SEQUENCEs', file: 'wide.der', make: (n) => w.tlv(0x30, repeat(Buffer.from([0x30, 0]), n)) },
  { name: 'minimal .tlv records by the thousand', file: 'ITLFile.tlv', make: (n) => trustList(repeat(Buffer.from([1, 0, 2, 0, 5]), n)) },
  { name: 'real .tlv records by the thousand', file: 'ITLFile.tlv', make: (n) => trustList(repeat(itlRecords(), n)) },
  { name: 'a .tlv record of tiny elements', file: 'ITLFile.tlv', make: (n) => trustList(Buffer.concat([Buffer.from([1, 0, 2, 0xff, 0xff]), repeat(Buffer.from([3, 0, 0]), n)])) },
  { name: 'a .tlv header of PADDING bytes', file: 'ITLFile.tlv', make: (n) => Buffer.concat([Buffer.from([1, 0, 2, 1, 2]), repeat(Buffer.from([13]), n)]) },
  { name: 'a .tlv header of tiny elements', file: 'ITLFile.tlv', make: (n) => Buffer.concat([Buffer.from([1, 0, 2, 1, 2]), repeat(Buffer.from([3, 0, 0]), n)]) },
  { name: '.tlv records of 64 KB elements', file: 'ITLFile.tlv', make: (n) => trustList(repeat(Buffer.concat([Buffer.from([1, 0, 2, 0xff, 0xff, 8, 0xff, 0xf7]), Buffer.alloc(0xfff7, 0x30)]), n)) },
];

/** What the editor and the CLI do with a file: decode, check, render, diagnose, place each diagnostic, outline it. */
function decodeAndShow(h: Hostile, bytes: Buffer): number {
  const src: FileSource = { uri: `file:///hostile/${h.file}`, path: `/hostile/${h.file}`, name: h.file, bytes, maxBytes: Infinity };
  const file = decodeWorkspaceFile(src);
  assert.ok(file, `${h.name}: decoded`);
  const view = renderFileView(file, { fileName: h.file, now: TEST_NOW });
  const index = new WorkspaceIndex();
  index.set(file);
  const found = diagnoseFile(file, { now: TEST_NOW, nearExpiryDays: 30, index });
  for (const d of found) {
    sourceLocation(file, d.target);
    lineForTarget(view, d.target);
  }
  const doc: ResolvedDocument =
    file.kind === 'certificate' && file.file.format === 'pem' ? { kind: 'pem', uri: src.uri, file } : { kind: 'view', uri: `itl-lens-view:${src.uri}`, file, view };
  documentSymbols(doc);
  foldingRanges(doc);
  return found.length;
}

function millis(run: () => void): number {
  const t = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

describe(`pathological inputs: linear time (${BUDGET_MS_PER_MB} ms per MB + ${BUDGET_FIXED_MS} ms)`, () => {
  for (const h of HOSTILE) {
    it(h.name, function () {
      this.timeout(120_000);
      for (const size of SIZES) {
        const bytes = h.make(size);
        const budget = BUDGET_FIXED_MS + (BUDGET_MS_PER_MB * bytes.length) / MB;
        const runs: number[] = [];
        while (runs.length < 3 && !(Math.min(...runs) <= budget)) runs.push(millis(() => decodeAndShow(h, bytes)));
        const best = Math.min(...runs);
        assert.ok(best <= budget, `${h.name}: ${(bytes.length / MB).toFixed(2)} MB took ${best.toFixed(0)} ms (best of ${runs.length}), over the budget of ${budget.toFixed(0)} ms`);
      }
    });
  }
});
