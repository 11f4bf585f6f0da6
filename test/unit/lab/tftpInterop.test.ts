/**
 * The lab TFTP server against real clients: Debian's tftp-hpa (`tftp`, RFC 1350 only: plain reads, netascii,
 * writes) and curl's tftp:// (RFC 2347 options: blksize, tsize, timeout). Installed by test/interop/setup.sh
 * (run before mocha by `npm run test:unit`); a missing client fails these tests, it never skips them.
 */
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodePacket, OPCODE } from '../../../server/src/lab/tftp/tftpPackets';
import { patternBytes, requireTool, run, startTestServer, tempRoot, TestServer } from './tftpHelpers';

const SIZES = [0, 511, 512, 513, 100 * 1024];

/** A UDP relay between a client and the server that drops the first ACK of one block, and counts DATA blocks. */
class AckDroppingRelay {
  readonly front = dgram.createSocket('udp4');
  readonly back = dgram.createSocket('udp4');
  private client?: { address: string; port: number };
  private serverTid?: number;
  readonly dataSeen = new Map<number, number>();
  dropped = 0;

  constructor(
    private readonly serverPort: number,
    private readonly dropAckOf: number,
  ) {}

  async open(): Promise<number> {
    await Promise.all([this.front, this.back].map((s) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()))));
    this.front.on('message', (msg, rinfo) => {
      this.client = { address: rinfo.address, port: rinfo.port };
      const d = decodePacket(msg);
      if (d.ok && d.packet.op === OPCODE.ACK && d.packet.block === this.dropAckOf && this.dropped === 0) {
        this.dropped++;
        return;
      }
      this.back.send(msg, this.serverTid ?? this.serverPort, '127.0.0.1');
    });
    this.back.on('message', (msg, rinfo) => {
      this.serverTid = rinfo.port;
      const d = decodePacket(msg);
      if (d.ok && d.packet.op === OPCODE.DATA) this.dataSeen.set(d.packet.block, (this.dataSeen.get(d.packet.block) ?? 0) + 1);
      if (this.client) this.front.send(msg, this.client.port, this.client.address);
    });
    return this.front.address().port;
  }

  close(): void {
    this.front.close();
    this.back.close();
  }
}

describe('lab TFTP server with real clients (tftp-hpa, curl)', function () {
  this.timeout(120_000);
  let base: string;
  let root: string;
  let work: string;
  let t: TestServer;
  let tftp: string;
  let curl: string;

  before(async () => {
    base = tempRoot();
    root = path.join(base, 'root');
    work = path.join(base, 'work');
    fs.mkdirSync(path.join(root, 'English_United_States'), { recursive: true });
    fs.mkdirSync(work);
    for (const n of SIZES) fs.writeFileSync(path.join(root, `f${n}.bin`), patternBytes(n, n + 7));
    fs.writeFileSync(path.join(root, 'text.txt'), Buffer.from('line 1\nline 2\r\nbare CR\r and NUL\0 end\n'));
    fs.writeFileSync(path.join(root, 'English_United_States', 'tones.xml'), '<tones/>');
    fs.writeFileSync(path.join(base, 'secret'), 'outside the root');
    fs.symlinkSync(path.join(base, 'secret'), path.join(root, 'link-out'));
    t = await startTestServer({ root, retransmitMs: 300, maxRetries: 5 });
  });
  after(async () => {
    await t?.server.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  const hpaGet = (remote: string, local: string, mode = 'binary') => run(tftp, ['-m', mode, '127.0.0.1', String(t.port), '-c', 'get', remote, local], work);
  const localFile = (name: string) => path.join(work, name);

  it('the clients are installed (test/interop/setup.sh)', () => {
    tftp = requireTool('tftp', 'tftp-hpa');
    curl = requireTool('curl', 'curl');
  });

  for (const n of SIZES) {
    it(`tftp-hpa fetches a ${n}-byte file byte for byte (octet)`, async () => {
      tftp ??= requireTool('tftp', 'tftp-hpa');
      const r = await hpaGet(`f${n}.bin`, `hpa-${n}.bin`);
      assert.doesNotMatch(r.stdout + r.stderr, /Error|timed out/i, r.stdout + r.stderr);
      assert.deepEqual(fs.readFileSync(localFile(`hpa-${n}.bin`)), patternBytes(n, n + 7));
      const done = await t.waitLog((e) => e.event === 'transfer-done' && e.file === `f${n}.bin` && /octet\b/.test(t.logs.find((s) => s.event === 'transfer-start' && s.peer === e.peer)?.message ?? ''), `transfer-done for f${n}.bin`);
      assert.match(done.message, new RegExp(`${n} bytes in ${Math.floor(n / 512) + 1} block`));
    });
  }

  it('tftp-hpa fetches from a subfolder', async () => {
    const r = await hpaGet('English_United_States/tones.xml', 'tones.xml');
    assert.doesNotMatch(r.stdout + r.stderr, /Error/i);
    assert.equal(fs.readFileSync(localFile('tones.xml'), 'utf8'), '<tones/>');
  });

  it('tftp-hpa in netascii (its default mode) stores exactly the file: the server translated, the client translated back', async () => {
    tftp ??= requireTool('tftp', 'tftp-hpa');
    const r = await run(tftp, ['127.0.0.1', String(t.port), '-c', 'get', 'text.txt', 'text.txt'], work);
    assert.doesNotMatch(r.stdout + r.stderr, /Error/i);
    assert.deepEqual(fs.readFileSync(localFile('text.txt')), fs.readFileSync(path.join(root, 'text.txt')));
    await t.waitLog((e) => e.event === 'transfer-start' && e.file === 'text.txt' && /netascii/.test(e.message), 'a netascii transfer');
  });

  it('curl negotiates blksize, tsize and timeout (OACK) and gets the files byte for byte', async () => {
    curl ??= requireTool('curl', 'curl');
    for (const n of SIZES.filter((s) => s > 0)) {
      for (const blksize of [8, 1428]) {
        if (blksize === 8 && n > 1024) continue;
        const out = `curl-${n}-${blksize}.bin`;
        const r = await run(curl, ['-sS', '-v', '--tftp-blksize', String(blksize), '-o', out, `tftp://127.0.0.1:${t.port}/f${n}.bin`], work);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`blksize parsed from OACK \\(${blksize}\\)`));
        assert.match(r.stderr, new RegExp(`tsize parsed from OACK \\(${n}\\)`));
        assert.deepEqual(fs.readFileSync(localFile(out)), patternBytes(n, n + 7), `${n} bytes, blksize ${blksize}`);
      }
    }
    const start = await t.waitLog((e) => e.event === 'transfer-start' && e.file === 'f102400.bin' && /blksize=1428/.test(e.message), 'the 100 KB transfer with options');
    assert.match(start.message, /tsize=102400/);
    assert.match(start.message, /timeout=\d+/);
  });

  it('curl without options (plain RFC 1350) gets the empty file', async () => {
    // curl 7.88 itself refuses an OACK with tsize 0 ("invalid tsize value"), though RFC 2349 allows it
    const r = await run(curl, ['-sS', '--tftp-no-options', '-o', 'curl-0.bin', `tftp://127.0.0.1:${t.port}/f0.bin`], work);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(localFile('curl-0.bin')).length, 0);
  });

  it('a lost ACK: the server sends the block again and tftp-hpa still gets the file intact', async () => {
    const relay = new AckDroppingRelay(t.port, 2);
    const relayPort = await relay.open();
    try {
      const r = await run(tftp, ['-m', 'binary', '127.0.0.1', String(relayPort), '-c', 'get', 'f102400.bin', 'relayed.bin'], work);
      assert.doesNotMatch(r.stdout + r.stderr, /Error|timed out/i, r.stdout + r.stderr);
      assert.deepEqual(fs.readFileSync(localFile('relayed.bin')), patternBytes(102400, 102407));
      assert.equal(relay.dropped, 1);
      assert.ok((relay.dataSeen.get(3) ?? 0) >= 1 && (relay.dataSeen.get(2) ?? 0) >= 2, `DATA 2 sent again (seen ${relay.dataSeen.get(2)} times)`);
      const done = await t.waitLog((e) => e.event === 'transfer-done' && e.file === 'f102400.bin' && /retransmission/.test(e.message), 'a transfer-done with retransmissions');
      assert.match(done.message, /102400 bytes in 201 block\(s\), [1-9]\d* retransmission/);
    } finally {
      relay.close();
    }
  });

  it('missing files: tftp-hpa gets "File not found" (error code 1)', async () => {
    const r = await hpaGet('ITLSEP001122334455.tlv', 'missing.tlv');
    assert.match(r.stdout + r.stderr, /Error code 1: File not found/);
    const c = await run(curl, ['-sS', '-o', 'missing-curl.tlv', `tftp://127.0.0.1:${t.port}/CTLSEP001122334455.tlv`], work);
    assert.equal(c.code, 68, `curl exits 68 (CURLE_TFTP_NOTFOUND) on TFTP error 1: ${c.stderr}`);
  });

  it('names that leave the root are refused with an access violation: ../, absolute, a symlink out', async () => {
    for (const name of ['../secret', '/etc/passwd', 'link-out', 'English_United_States/../../secret']) {
      const local = `escape-${name.replace(/\W/g, '_')}`;
      const r = await hpaGet(name, local);
      assert.match(r.stdout + r.stderr, /Error code 2: Access violation/, `${name}: ${r.stdout}${r.stderr}`);
      assert.ok(!fs.existsSync(localFile(local)) || fs.readFileSync(localFile(local)).length === 0, `${name}: nothing received`);
    }
    const refused = t.logs.filter((e) => e.event === 'request-refused' && /error 2/.test(e.message));
    assert.ok(refused.some((e) => /outside the root/.test(e.message)), 'the symlink was caught by the real-path check');
  });

  it('write requests are refused with an access violation and nothing is written', async () => {
    fs.writeFileSync(localFile('upload.bin'), 'phone upload');
    const r = await run(tftp, ['-m', 'binary', '127.0.0.1', String(t.port), '-c', 'put', 'upload.bin', 'upload.bin'], work);
    assert.match(r.stdout + r.stderr, /Error code 2: Access violation/);
    assert.ok(!fs.existsSync(path.join(root, 'upload.bin')));
    const c = await run(curl, ['-sS', '-T', localFile('upload.bin'), `tftp://127.0.0.1:${t.port}/upload2.bin`], work);
    assert.equal(c.code, 69, `curl exits 69 (CURLE_TFTP_PERM) on TFTP error 2: ${c.stderr}`);
    assert.ok(!fs.existsSync(path.join(root, 'upload2.bin')));
  });
});
