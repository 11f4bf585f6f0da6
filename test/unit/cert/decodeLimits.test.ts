/**
 * The certificate decoders' limits and one-pass scan: PEM blocks carry their line and character positions (counted
 * along, not from offset 0), the body checks match the line-by-line reading they replaced, a file of more blocks
 * than are read says where reading stopped, a certificate of more DER elements than are read says so, and only a
 * caller's size limit (the language server's) stops a file from being decoded.
 */
import * as assert from 'node:assert/strict';
import { decodeCertificateFile, MAX_PEM_BLOCKS } from '../../../server/src/core/cert/certificateFile';
import { decodeCertificate, derWriter as w } from '../../../server/src/core/cert/decodeCertificate';
import { MAX_DER_NODES } from '../../../server/src/core/asn1/der';
import { findPemBlocks, toPem } from '../../../server/src/core/cert/pem';
import { positionAt } from '../../../server/src/rules/sourceLocation';
import { fixture } from '../../helpers/fixtures';

/** The body check the one-pass reader replaced: lines trimmed, header lines dropped, joined, then two regexes. */
function lineByLine(body: string): { der: Buffer; badBase64: boolean } {
  const b64 = body.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !/^[A-Za-z-]+:/.test(l)).join('');
  const badBase64 = !/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0;
  return { der: Buffer.from(b64.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'), badBase64 };
}

describe('certificate decoders: positions, limits', () => {
  it('gives each PEM block the line and character of its start and end (LF, CRLF, text around, several blocks)', () => {
    const cert = toPem('CERTIFICATE', fixture('cluster/CAPF.der'));
    const text = `intro line\r\n  ${cert.replace(/\n/g, '\r\n')}between\n\n${cert}-----BEGIN A-----\nQUJD\n tail`;
    const blocks = findPemBlocks(text);
    assert.equal(blocks.length, 3);
    for (const b of blocks) {
      assert.deepEqual(b.range, { start: positionAt(text, b.start), end: positionAt(text, b.end) });
      assert.equal(b.startLine, positionAt(text, b.start).line);
      assert.equal(b.endLine, positionAt(text, Math.max(b.start, b.end - 1)).line);
    }
    assert.deepEqual(blocks.map((b) => [b.label, b.unterminated]), [['CERTIFICATE', false], ['CERTIFICATE', false], ['A', true]]);
    assert.ok(blocks[0].der.equals(fixture('cluster/CAPF.der')) && blocks[1].der.equals(fixture('cluster/CAPF.der')));
  });

  it('reads block bodies as the line-by-line check did (padding, headers, stray characters, blank lines)', () => {
    const bodies = ['QUJD', 'QUI=', 'QQ==', 'QQ===', 'QQ=A', 'Q=Q=', 'QUJ', 'QU JD', 'QU\r\nJD\r\n', 'Proc-Type: 4,ENCRYPTED\nDEK-Info: x\n\nQUJD', '  QUJD  \n\tQUJD', '', '\n\n', 'Proc-Type: 4', 'QUJD\n-----END B-----', 'ÄÖ==', 'QUJD====', '=QUJ'];
    for (const body of bodies) {
      const [b] = findPemBlocks(`-----BEGIN X-----\n${body}\n-----END X-----\n`);
      const want = lineByLine(`\n${body}\n`);
      assert.equal(b.badBase64, want.badBase64, JSON.stringify(body));
      assert.ok(b.der.equals(want.der), JSON.stringify(body));
    }
  });

  it(`reads the first ${MAX_PEM_BLOCKS} PEM blocks of a larger file and says where it stopped`, () => {
    const pair = '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';
    const bytes = Buffer.from(pair.repeat(MAX_PEM_BLOCKS + 5));
    const file = decodeCertificateFile(bytes);
    assert.equal(file.entries.length, MAX_PEM_BLOCKS);
    assert.deepEqual(file.problems.map((p) => p.code), ['pem-too-many-blocks']);
    assert.match(file.problems[0].message, new RegExp(`first ${MAX_PEM_BLOCKS} PEM blocks and stopped at line ${MAX_PEM_BLOCKS * 2 + 1}:`));
    assert.deepEqual(decodeCertificateFile(Buffer.from(pair.repeat(MAX_PEM_BLOCKS))).problems, []);
  });

  it('decodes a file of any size unless the caller sets a limit (the language server does)', () => {
    const bytes = fixture('cluster/CAPF.pem');
    assert.deepEqual(decodeCertificateFile(bytes).problems, []);
    const limited = decodeCertificateFile(bytes, { maxBytes: 100 });
    assert.deepEqual(limited.entries, []);
    assert.deepEqual(limited.problems.map((p) => [p.code, p.span]), [['file-too-large-to-decode', { start: 0, end: bytes.length }]]);
    assert.match(limited.problems[0].message, /itl-lens decode/);
  });

  it(`reads at most ${MAX_DER_NODES.toLocaleString('en-US')} DER elements of a certificate and says so`, () => {
    const seq = (...parts: Buffer[]) => w.tlv(0x30, Buffer.concat(parts));
    const name = seq(w.tlv(0x31, seq(w.oid('2.5.4.3'), w.tlv(0x0c, Buffer.from('wide')))));
    const alg = seq(w.oid('1.2.840.113549.1.1.11'), w.tlv(0x05, Buffer.alloc(0)));
    const spki = seq(seq(w.oid('1.2.840.10045.2.1'), w.oid('1.2.840.10045.3.1.7')), w.bitString(Buffer.alloc(65, 4)));
    const validity = seq(w.tlv(0x17, Buffer.from('300101000000Z')), w.tlv(0x17, Buffer.from('310101000000Z')));
    const san = (n: number) => seq(w.oid('2.5.29.17'), w.tlv(0x04, w.tlv(0x30, Buffer.alloc(2 * n, Buffer.from([0x82, 0])))));
    const cert = (n: number) => seq(seq(w.tlv(0xa0, w.tlv(0x02, Buffer.from([2]))), w.tlv(0x02, Buffer.from([1])), alg, name, validity, name, spki, w.tlv(0xa3, seq(san(n)))), alg, w.bitString(Buffer.alloc(64, 1)));
    const small = decodeCertificate(cert(100));
    assert.ok(small.ok);
    assert.deepEqual(small.problems, []);
    const wide = decodeCertificate(cert(MAX_DER_NODES + 10));
    assert.ok(wide.ok);
    assert.deepEqual(wide.problems.map((p) => p.code), ['cert-malformed']);
    assert.match(wide.problems[0].message, /more than 20,000 DER elements/);
  });
});
