import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Prng } from '../../helpers/prng';
import { checkOack, negotiateOptions } from '../../../server/src/lab/tftp/tftpOptions';
import {
  decodePacket,
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  encodeRequest,
  fromNetascii,
  OPCODE,
  toNetascii,
} from '../../../server/src/lab/tftp/tftpPackets';
import { readServedFile, requestNameProblem } from '../../../server/src/lab/tftp/tftpPath';
import { patternBytes, tempRoot } from './tftpHelpers';

describe('TFTP packets (RFC 1350, 2347)', () => {
  it('writes a read request as RFC 1350 lays it out, options after the mode', () => {
    const b = encodeRequest(OPCODE.RRQ, 'ITLFile.tlv', 'octet', [{ name: 'blksize', value: '1428' }]);
    assert.deepEqual(b, Buffer.concat([Buffer.from([0, 1]), Buffer.from('ITLFile.tlv\x00octet\x00blksize\x001428\x00', 'latin1')]));
    const d = decodePacket(b);
    assert.ok(d.ok);
    assert.deepEqual(d.packet, { op: 1, filename: 'ITLFile.tlv', mode: 'octet', options: [{ name: 'blksize', value: '1428' }] });
  });

  it('reads mode and option names case-insensitively, values as sent', () => {
    const d = decodePacket(Buffer.from('\0\x01f\0OcTeT\0BLKSIZE\x001024\0TSize\x000\0', 'latin1'));
    assert.ok(d.ok && d.packet.op === OPCODE.RRQ);
    assert.equal(d.packet.mode, 'octet');
    assert.deepEqual(d.packet.options, [{ name: 'blksize', value: '1024' }, { name: 'tsize', value: '0' }]);
  });

  it('round-trips DATA, ACK, ERROR and OACK', () => {
    const data = decodePacket(encodeData(65535, Buffer.from('abc')));
    assert.ok(data.ok && data.packet.op === OPCODE.DATA);
    assert.equal(data.packet.block, 65535);
    assert.equal(data.packet.data.toString(), 'abc');
    assert.deepEqual(decodePacket(encodeAck(7)), { ok: true, packet: { op: 4, block: 7 } });
    assert.deepEqual(encodeError(1, 'File not found'), Buffer.from('\0\x05\0\x01File not found\0', 'latin1'));
    assert.deepEqual(decodePacket(encodeError(1, 'File not found')), { ok: true, packet: { op: 5, code: 1, message: 'File not found' } });
    assert.deepEqual(decodePacket(encodeOack([{ name: 'tsize', value: '9' }])), { ok: true, packet: { op: 6, options: [{ name: 'tsize', value: '9' }] } });
  });

  it('says what is wrong with a malformed datagram instead of throwing', () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['empty', Buffer.alloc(0), /no opcode/],
      ['one byte', Buffer.from([0]), /no opcode/],
      ['RRQ without NUL', Buffer.from('\0\x01file', 'latin1'), /truncated/],
      ['RRQ without mode', Buffer.from('\0\x01file\0', 'latin1'), /lacks its file name or mode/],
      ['RRQ with a dangling option', Buffer.from('\0\x01f\0octet\0blksize\0', 'latin1'), /no value/],
      ['short ACK', Buffer.from([0, 4, 0]), /ACK of 3 bytes/],
      ['short DATA', Buffer.from([0, 3, 0]), /shorter than 4/],
      ['unknown opcode', Buffer.from([0, 9, 0, 0]), /unknown opcode 9/],
      ['opcode 0', Buffer.from([0, 0]), /unknown opcode 0/],
    ];
    for (const [what, buf, re] of cases) {
      const d = decodePacket(buf);
      assert.ok(!d.ok, what);
      assert.match(d.problem, re, what);
    }
  });

  it('never throws on random datagrams', () => {
    const prng = new Prng(0x7f7f);
    for (let i = 0; i < 20_000; i++) {
      const len = prng.int(40);
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = prng.pick([0, 0, 1, 2, 3, 4, 5, 6, 0x41, prng.int(256)]);
      decodePacket(b);
    }
  });

  it('netascii: LF goes as CR LF and CR as CR NUL, and back to the same bytes', () => {
    assert.deepEqual(toNetascii(Buffer.from('a\nb\r\nc\rd\0')), Buffer.from('a\r\nb\r\0\r\nc\r\0d\0', 'latin1'));
    for (const n of [0, 1, 511, 4096]) {
      const b = patternBytes(n, n + 3);
      assert.deepEqual(fromNetascii(toNetascii(b)), b);
    }
  });
});

describe('TFTP option negotiation (RFC 2347, 2348, 2349)', () => {
  it('accepts blksize, tsize and timeout, answering tsize with the size to be sent', () => {
    const n = negotiateOptions([{ name: 'blksize', value: '1428' }, { name: 'tsize', value: '0' }, { name: 'timeout', value: '3' }], 5000);
    assert.equal(n.blksize, 1428);
    assert.equal(n.timeoutS, 3);
    assert.deepEqual(n.oack, [{ name: 'blksize', value: '1428' }, { name: 'tsize', value: '5000' }, { name: 'timeout', value: '3' }]);
  });

  it('leaves out unknown options and values outside the RFC ranges, and lowers blksize to its maximum', () => {
    const n = negotiateOptions(
      [
        { name: 'windowsize', value: '8' },
        { name: 'blksize', value: '7' },
        { name: 'timeout', value: '0' },
        { name: 'tsize', value: 'x' },
      ],
      10,
    );
    assert.deepEqual(n, { blksize: 512, oack: [] });
    assert.deepEqual(negotiateOptions([{ name: 'blksize', value: '99999999999999999999' }], 1).oack, []);
    assert.deepEqual(negotiateOptions([{ name: 'timeout', value: '256' }], 1).oack, []);
    assert.deepEqual(negotiateOptions([{ name: 'blksize', value: '65465' }], 1).oack, [{ name: 'blksize', value: '65464' }]);
    assert.deepEqual(negotiateOptions([{ name: 'blksize', value: '9000' }], 1, 1468).oack, [{ name: 'blksize', value: '1468' }]);
    assert.deepEqual(negotiateOptions([{ name: 'blksize', value: '600' }, { name: 'blksize', value: '800' }], 1).oack, [{ name: 'blksize', value: '600' }]);
  });

  it("the client refuses an OACK that raises blksize or names an option it did not ask for", () => {
    assert.deepEqual(checkOack({ blksize: 1024, tsize: true }, [{ name: 'blksize', value: '512' }, { name: 'tsize', value: '77' }]), { ok: true, blksize: 512, tsize: 77, timeoutS: undefined });
    assert.ok(!checkOack({ blksize: 1024 }, [{ name: 'blksize', value: '2048' }]).ok);
    assert.ok(!checkOack({ blksize: 1024 }, [{ name: 'tsize', value: '1' }]).ok);
    assert.ok(!checkOack({ timeoutS: 2 }, [{ name: 'timeout', value: '3' }]).ok);
  });
});

describe('TFTP file names → files (no name leaves the root)', () => {
  let root: string;
  let outside: string;
  before(() => {
    const base = tempRoot();
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(root, 'English_United_States'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(root, 'ITLFile.tlv'), 'itl');
    fs.writeFileSync(path.join(root, 'English_United_States', 'be-sip.jar'), 'locale');
    fs.writeFileSync(path.join(outside, 'secret'), 'secret');
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link-out'));
    fs.symlinkSync(outside, path.join(root, 'dir-out'));
    fs.symlinkSync('ITLFile.tlv', path.join(root, 'link-in'));
  });
  after(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  it('refuses names that could leave the root before touching the disk', () => {
    for (const name of ['', '../outside/secret', 'a/../../x', '/etc/passwd', '..', '.', 'a//b', 'dir/', '..\\secret', 'C:secret', 'a\0b', 'caf\xe9', 'tab\there']) {
      assert.ok(requestNameProblem(name), `'${name}' should be refused`);
    }
    assert.equal(requestNameProblem('ITLSEP001122334455.tlv'), undefined);
    assert.equal(requestNameProblem('English_United_States/be-sip.jar'), undefined);
  });

  it('serves files and subfolders under the root, and symlinks that stay inside', async () => {
    const r = await readServedFile(fs.realpathSync(root), 'English_United_States/be-sip.jar');
    assert.ok(r.ok);
    assert.equal(r.data.toString(), 'locale');
    const l = await readServedFile(fs.realpathSync(root), 'link-in');
    assert.ok(l.ok);
    assert.equal(l.data.toString(), 'itl');
  });

  it('refuses a symlink that points out, a folder, and says File not found for a missing file', async () => {
    const rr = fs.realpathSync(root);
    for (const name of ['link-out', 'dir-out/secret']) {
      const r = await readServedFile(rr, name);
      assert.ok(!r.ok, name);
      assert.equal(r.code, 2, name);
      assert.match(r.why, /outside the root/, name);
    }
    const dir = await readServedFile(rr, 'English_United_States');
    assert.ok(!dir.ok && dir.code === 2 && /not a regular file/.test(dir.why));
    const missing = await readServedFile(rr, 'CTLSEP001122334455.tlv');
    assert.ok(!missing.ok);
    assert.deepEqual([missing.code, missing.message], [1, 'File not found']);
    const under = await readServedFile(rr, 'ITLFile.tlv/x');
    assert.ok(!under.ok && under.code === 1);
  });

  it('refuses a file over the size limit', async () => {
    const r = await readServedFile(fs.realpathSync(root), 'ITLFile.tlv', 2);
    assert.ok(!r.ok && r.code === 0 && /too large/.test(r.message));
  });
});
