/**
 * The .tlv decoder stops early (more records or elements than it reads, or a file too large to decode): it then
 * says so with an error at the first byte not read, and the file is never called verified, even when its
 * signature would verify.
 */
import * as assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeTrustList, signedBytes, verifyTrustList } from '../../../server/src/core/tlv';
import { renderTrustListView } from '../../../server/src/views/trustListView';
import { decodeSignedFile } from '../../../server/src/core/sgn/decode';
import { MAX_DECODED_ELEMENTS } from '../../../server/src/core/tlv/decode';
import { signedFileVerdict } from '../../../server/src/trust/signedFileVerdict';
import { fixture, KEYS_DIR, TEST_NOW } from '../../helpers/fixtures';

const MINIMAL_RECORD = Buffer.from([1, 0, 2, 0, 5]); // RECORDLENGTH 5 and nothing else

/** The cluster ITL with `extra` appended after its records, signed again by its signer (CallManager ao115sub, SHA-1). */
function signedWithExtraBytes(extra: Buffer): Buffer {
  const base = fixture('cluster/ITLFile.tlv');
  const bytes = Buffer.concat([base, extra]);
  const list = decodeTrustList(base, 'ITLFile.tlv');
  const key = createPrivateKey(fs.readFileSync(path.join(KEYS_DIR, 'callmanager-sub.key.pem')));
  // The header (and so the SIGNATURE element's place) is the base file's; the signature covers the rest.
  sign('sha1', signedBytes(bytes, list)!, key).copy(bytes, list.header.signature!.valueOffset);
  return bytes;
}

describe('.tlv decoder: stopping early is reported, and such a file is not verified', () => {
  it('a signed file with more records than the decoder reads: an error at the first record not read, not verified', () => {
    const extra = Buffer.alloc(MINIMAL_RECORD.length * 12_000, MINIMAL_RECORD);
    const bytes = signedWithExtraBytes(extra);
    const list = decodeTrustList(bytes, 'ITLFile.tlv');
    const stop = list.problems.find((p) => p.code === 'tlv-too-many-records');
    assert.ok(stop, `a tlv-too-many-records problem: ${list.problems.map((p) => p.code).join(', ')}`);
    assert.equal(stop.severity, 'error');
    const firstNotRead = list.records[list.records.length - 1].range.end;
    assert.deepEqual(stop.range, { start: firstNotRead, end: bytes.length });
    assert.equal(list.stoppedAt, firstNotRead);
    assert.ok(firstNotRead < bytes.length);
    const check = verifyTrustList(bytes, list);
    assert.equal(check.status, 'incomplete');
    assert.doesNotMatch(check.message, /verified successfully/);
    const view = renderTrustListView(list, { fileName: 'ITLFile.tlv', now: TEST_NOW, signature: check }).text;
    assert.doesNotMatch(view, /verified successfully/);
    assert.match(view, /Problem \[tlv-too-many-records\]/);
  });

  it('the same file read whole (limits lifted) verifies: the signature is good, only the reading stopped', () => {
    const bytes = signedWithExtraBytes(Buffer.alloc(MINIMAL_RECORD.length * 12_000, MINIMAL_RECORD));
    const list = decodeTrustList(bytes, 'ITLFile.tlv', { maxRecords: Infinity, maxElements: Infinity });
    assert.equal(list.stoppedAt, undefined);
    assert.ok(!list.problems.some((p) => p.code === 'tlv-too-many-records'));
    assert.equal(verifyTrustList(bytes, list).status, 'valid');
  });

  it('the record limit as an option: the first record not read starts the range', () => {
    const bytes = fixture('cluster/ITLFile.tlv');
    const whole = decodeTrustList(bytes, 'ITLFile.tlv');
    assert.equal(verifyTrustList(bytes, whole).status, 'valid');
    const list = decodeTrustList(bytes, 'ITLFile.tlv', { maxRecords: 2 });
    assert.equal(list.records.length, 2);
    const stop = list.problems.find((p) => p.code === 'tlv-too-many-records')!;
    assert.deepEqual(stop.range, { start: whole.records[2].range.start, end: bytes.length });
    assert.match(stop.message, /read 2 records and stopped at byte \d+/);
    assert.equal(verifyTrustList(bytes, list).status, 'incomplete');
  });

  it('too many elements (a record of tiny elements): an error where reading stopped, not verified', () => {
    const tiny = Buffer.alloc(3 * 20_000, Buffer.from([3, 0, 0]));
    const bytes = signedWithExtraBytes(Buffer.concat([Buffer.from([1, 0, 2, 0xff, 0xff]), tiny]));
    const list = decodeTrustList(bytes, 'ITLFile.tlv');
    const stop = list.problems.find((p) => p.code === 'tlv-too-many-elements');
    assert.ok(stop, list.problems.map((p) => p.code).join(', '));
    assert.ok(stop.range.start > fixture('cluster/ITLFile.tlv').length && stop.range.end === bytes.length);
    assert.equal(list.stoppedAt, stop.range.start);
    assert.equal(verifyTrustList(bytes, list).status, 'incomplete');
  });

  it('the stop is listed even past the cap on problems', () => {
    // Each duplicated tag is a warning; thousands of them fill the problem list before the records run out.
    const dup = Buffer.alloc(3 * 30_000, Buffer.from([3, 0, 0]));
    const list = decodeTrustList(Buffer.concat([fixture('cluster/ITLFile.tlv'), Buffer.from([1, 0, 2, 0xff, 0xff]), dup]), 'ITLFile.tlv');
    assert.ok(list.problems.length > 200);
    assert.equal(list.problems[list.problems.length - 1].code, 'tlv-too-many-elements');
  });

  it('no size limit by default (the CLI decodes any file): only the language server passes one', () => {
    const bytes = fixture('cluster/ITLFile.tlv');
    const list = decodeTrustList(bytes, 'ITLFile.tlv');
    assert.ok(!list.problems.some((p) => p.code === 'file-too-large-to-decode'));
    assert.equal(list.stoppedAt, undefined);
  });

  it('a signed file (.sgn) whose header holds more elements than the decoder reads: an error, nothing checked', () => {
    const name = 'SEP001122334455.cnf.xml.sgn';
    const bytes = Buffer.concat([Buffer.from([1, 0, 2, 1, 0]), Buffer.alloc(3 * 20_000, Buffer.from([3, 0, 0]))]);
    const file = decodeSignedFile(bytes, name);
    const stop = file.problems.find((p) => p.code === 'tlv-too-many-elements');
    assert.ok(stop, file.problems.map((p) => p.code).join(', '));
    assert.equal(stop.severity, 'error');
    assert.equal(file.stoppedAt, stop.range.start);
    assert.deepEqual(stop.range, { start: 5 + 3 * (MAX_DECODED_ELEMENTS - 1), end: bytes.length });
    assert.equal(file.header.elements.length, MAX_DECODED_ELEMENTS);
    const verdict = signedFileVerdict({ uri: `file:///x/${name}`, path: `/x/${name}`, bytes, file }, { trustLists: [], certificates: [] });
    assert.match(verdict.line, /^not checked/);
  });

  it('a file over the size limit is not decoded: one error, no records, not verified', () => {
    const bytes = fixture('cluster/ITLFile.tlv');
    const list = decodeTrustList(bytes, 'ITLFile.tlv', { maxBytes: 1000 });
    assert.deepEqual(list.problems.map((p) => [p.code, p.range]), [['file-too-large-to-decode', { start: 0, end: bytes.length }]]);
    assert.match(list.problems[0].message, new RegExp(`^File too large to decode: ${bytes.length.toLocaleString('en-US')} bytes, over the editor's limit of 1,000 bytes.*itl-lens decode`));
    assert.equal(list.records.length, 0);
    assert.equal(list.kind, 'ITL');
    const check = verifyTrustList(bytes, list);
    assert.equal(check.status, 'incomplete');
    assert.doesNotMatch(renderTrustListView(list, { fileName: 'ITLFile.tlv', now: TEST_NOW, signature: check }).text, /verified successfully/);
  });
});
