import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as dgram from 'node:dgram';
import { Prng } from '../../helpers/prng';
import { tftpGet, TftpError } from '../../../server/src/lab/tftp/tftpClient';
import { decodePacket, encodeAck, encodeData, encodeError, encodeOack, encodeRequest, OPCODE, TftpPacket } from '../../../server/src/lab/tftp/tftpPackets';
import { ReadTransfer } from '../../../server/src/lab/tftp/tftpTransfer';
import { patternBytes, RawPeer, startTestServer, tempRoot, TestServer } from './tftpHelpers';
import { until } from './until';
import { runCli } from '../../helpers/cli';
import { parseArgs } from '../../../server/src/cli/io';
import { serveTftp } from '../../../server/src/cli/commands/tftpServer';

const SIZES = [0, 511, 512, 513, 100 * 1024];

describe('lab TFTP server (own client)', function () {
  this.timeout(60_000);
  let root: string;
  let t: TestServer;
  const peers: RawPeer[] = [];
  const rawPeer = async (address?: string) => {
    const p = await RawPeer.open(address);
    peers.push(p);
    return p;
  };

  before(async () => {
    root = tempRoot();
    for (const n of SIZES) fs.writeFileSync(path.join(root, `f${n}.bin`), patternBytes(n, n + 1));
    t = await startTestServer({ root, retransmitMs: 150, maxRetries: 3, perAddressLimit: 4, maxTransfers: 6 });
  });
  afterEach(() => {
    for (const p of peers.splice(0)) p.close();
  });
  after(async () => {
    await t.server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('binds 127.0.0.1 on the port asked for (0: a free one)', () => {
    assert.equal(t.server.address.host, '127.0.0.1');
    assert.ok(t.port > 0);
  });

  for (const n of SIZES) {
    it(`sends a ${n}-byte file byte for byte, plain RFC 1350 and with blksize/tsize`, async () => {
      const want = patternBytes(n, n + 1);
      const plain = await tftpGet({ host: '127.0.0.1', port: t.port, file: `f${n}.bin` });
      assert.deepEqual(plain.data, want);
      assert.equal(plain.negotiated, false);
      assert.equal(plain.blksize, 512);
      assert.notEqual(plain.server.port, t.port, 'the transfer runs on its own port');
      const opt = await tftpGet({ host: '127.0.0.1', port: t.port, file: `f${n}.bin`, blksize: 1428, tsize: true, timeoutS: 2 });
      assert.deepEqual(opt.data, want);
      assert.deepEqual([opt.negotiated, opt.blksize, opt.tsize], [true, 1428, n]);
    });
  }

  it('netascii: the client that translates back gets the file exactly', async () => {
    const r = await tftpGet({ host: '127.0.0.1', port: t.port, file: 'f513.bin', mode: 'netascii', tsize: true });
    assert.deepEqual(r.data, patternBytes(513, 514));
    assert.ok(r.tsize! > 513, 'tsize is the size sent: the netascii form');
  });

  it('answers File not found (1) for a missing file and access violation (2) for a write or a name that leaves the root', async () => {
    await assert.rejects(tftpGet({ host: '127.0.0.1', port: t.port, file: 'ITLSEP001122334455.tlv' }), (e: TftpError) => e.code === 1 && /File not found/.test(e.message));
    await assert.rejects(tftpGet({ host: '127.0.0.1', port: t.port, file: '../etc/passwd' }), (e: TftpError) => e.code === 2);
    const p = await rawPeer();
    p.send(encodeRequest(OPCODE.WRQ, 'f0.bin', 'octet'), t.port);
    const [err] = await p.waitFor((x) => x.op === OPCODE.ERROR, 'ERROR for a WRQ');
    assert.deepEqual(err.packet && err.packet.op === OPCODE.ERROR && err.packet.code, 2);
    assert.equal(fs.readFileSync(path.join(root, 'f0.bin')).length, 0);
    await t.waitLog((e) => e.event === 'write-refused', 'write-refused log line');
  });

  it('refuses mail mode and unknown modes with illegal operation (4)', async () => {
    const p = await rawPeer();
    p.send(encodeRequest(OPCODE.RRQ, 'f0.bin', 'mail'), t.port);
    p.send(encodeRequest(OPCODE.RRQ, 'f0.bin', 'bogus'), t.port);
    const errs = await p.waitFor((x) => x.op === OPCODE.ERROR, 'two ERRORs', 2);
    for (const e of errs) assert.ok(e.packet?.op === OPCODE.ERROR && e.packet.code === 4);
  });

  it('resends the last block when its ACK does not come, then gives up after the retry limit with a log line', async () => {
    const p = await rawPeer();
    p.send(encodeRequest(OPCODE.RRQ, 'f513.bin', 'octet'), t.port);
    // never ACK: DATA 1 once and 3 retransmissions, then the server gives up
    const copies = await p.waitFor((x) => x.op === OPCODE.DATA && x.block === 1, 'DATA 1 four times', 4);
    assert.ok(copies.every((c) => c.from.port === copies[0].from.port));
    const gaveUp = await t.waitLog((e) => e.event === 'transfer-gave-up' && e.peer === `127.0.0.1:${p.port}`, 'gave-up log line');
    assert.match(gaveUp.message, /no ACK for block 1 after 3 retransmission\(s\)/);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(p.received.filter((r) => r.packet?.op === OPCODE.DATA).length, 4, 'nothing after giving up');
  });

  it('goes on after a lost ACK: the retransmitted block is ACKed and the transfer completes', async () => {
    const p = await rawPeer();
    p.send(encodeRequest(OPCODE.RRQ, 'f513.bin', 'octet'), t.port);
    const [d1] = await p.waitFor((x) => x.op === OPCODE.DATA && x.block === 1, 'DATA 1');
    p.send(encodeAck(1), d1.from.port);
    await p.waitFor((x) => x.op === OPCODE.DATA && x.block === 2, 'DATA 2 resent', 2); // our ACK 2 "lost"
    p.send(encodeAck(1), d1.from.port); // a duplicate ACK is not answered (RFC 1123 4.2.3.1)
    p.send(encodeAck(2), d1.from.port);
    const done = await t.waitLog((e) => e.event === 'transfer-done' && e.peer === `127.0.0.1:${p.port}`, 'transfer-done');
    assert.match(done.message, /513 bytes in 2 block\(s\), [12] retransmission/);
  });

  it('serves the file as it was at the request, though it is rewritten mid-transfer', async () => {
    fs.writeFileSync(path.join(root, 'changing.bin'), Buffer.alloc(1024, 0x41));
    const p = await rawPeer();
    p.send(encodeRequest(OPCODE.RRQ, 'changing.bin', 'octet'), t.port);
    const [d1] = await p.waitFor((x) => x.op === OPCODE.DATA && x.block === 1, 'DATA 1');
    fs.writeFileSync(path.join(root, 'changing.bin'), Buffer.alloc(1024, 0x42));
    p.send(encodeAck(1), d1.from.port);
    const [d2] = await p.waitFor((x) => x.op === OPCODE.DATA && x.block === 2, 'DATA 2');
    assert.ok(d2.packet?.op === OPCODE.DATA && d2.packet.data.every((b) => b === 0x41));
    p.send(encodeAck(2), d1.from.port);
    p.send(encodeAck(3), d1.from.port);
    const again = await tftpGet({ host: '127.0.0.1', port: t.port, file: 'changing.bin' });
    assert.ok(again.data.every((b) => b === 0x42), 'the next request reads the new file');
  });

  it('a repeated RRQ from the same port does not start a second transfer; a packet from another port gets ERROR 5', async () => {
    const p = await rawPeer();
    const before = t.server.transferCount;
    p.send(encodeRequest(OPCODE.RRQ, 'f513.bin', 'octet'), t.port);
    const [d1] = await p.waitFor((x) => x.op === OPCODE.DATA && x.block === 1, 'DATA 1');
    p.send(encodeRequest(OPCODE.RRQ, 'f513.bin', 'octet'), t.port);
    const stranger = await rawPeer();
    stranger.send(encodeAck(1), d1.from.port);
    const [e5] = await stranger.waitFor((x) => x.op === OPCODE.ERROR, 'ERROR 5 to the stranger');
    assert.ok(e5.packet?.op === OPCODE.ERROR && e5.packet.code === 5);
    p.send(encodeAck(1), d1.from.port);
    await p.waitFor((x) => x.op === OPCODE.DATA && x.block === 2, 'DATA 2');
    p.send(encodeAck(2), d1.from.port);
    await t.waitLog((e) => e.event === 'transfer-done' && e.peer === `127.0.0.1:${p.port}`, 'transfer-done');
    assert.equal(t.server.transferCount, before + 1);
  });

  it('holds one address to its share of transfers and all to the total, with ERROR 0 past them', async () => {
    const holders: RawPeer[] = [];
    for (let i = 0; i < 4; i++) {
      const h = await rawPeer();
      h.send(encodeRequest(OPCODE.RRQ, 'f102400.bin', 'octet'), t.port);
      await h.waitFor((x) => x.op === OPCODE.DATA, `holder ${i} DATA 1`);
      holders.push(h);
    }
    assert.equal(t.server.activeTransfers, 4);
    const fifth = await rawPeer();
    fifth.send(encodeRequest(OPCODE.RRQ, 'f0.bin', 'octet'), t.port);
    const [busy] = await fifth.waitFor((x) => x.op === OPCODE.ERROR, 'per-address refusal');
    assert.ok(busy.packet?.op === OPCODE.ERROR && busy.packet.code === 0 && /Too many transfers from your address/.test(busy.packet.message));
    await t.waitLog((e) => e.event === 'request-refused' && /per-address limit/.test(e.message), 'per-address log line');
    for (let i = 0; i < 2; i++) {
      const h = await rawPeer('127.0.0.2');
      h.send(encodeRequest(OPCODE.RRQ, 'f102400.bin', 'octet'), t.port);
      await h.waitFor((x) => x.op === OPCODE.DATA, `second-address holder ${i} DATA 1`);
      holders.push(h);
    }
    assert.equal(t.server.activeTransfers, 6);
    const third = await rawPeer('127.0.0.3');
    third.send(encodeRequest(OPCODE.RRQ, 'f0.bin', 'octet'), t.port);
    const [full] = await third.waitFor((x) => x.op === OPCODE.ERROR, 'total-limit refusal');
    assert.ok(full.packet?.op === OPCODE.ERROR && full.packet.code === 0 && /Server busy/.test(full.packet.message));
    // the holders never ACK: they give up, and their slots come back
    await t.waitLog((e) => e.event === 'transfer-gave-up' && e.peer === `127.0.0.2:${holders[5].port}`, 'holders give up');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.server.activeTransfers, 0);
    const ok = await tftpGet({ host: '127.0.0.1', port: t.port, file: 'f511.bin' });
    assert.equal(ok.data.length, 511);
  });

  it('malformed packets get ERROR 4 or are dropped; random datagrams crash nothing and a concurrent transfer completes', async () => {
    // a slow transfer under way during the fuzz: 100 KB in 8-byte blocks is 12,801 round trips
    const slow = tftpGet({ host: '127.0.0.1', port: t.port, file: 'f102400.bin', blksize: 8, tsize: true, retransmitMs: 2000 });
    const p = await rawPeer();
    p.send(Buffer.from('\0\x01ITLFile.tlv', 'latin1'), t.port); // truncated RRQ
    p.send(Buffer.from([0, 42, 1, 2]), t.port); // unknown opcode
    p.send(Buffer.from([7]), t.port); // runt: dropped
    const errs = await p.waitFor((x) => x.op === OPCODE.ERROR, 'ERROR 4 twice', 2);
    for (const e of errs) assert.ok(e.packet?.op === OPCODE.ERROR && e.packet.code === 4);
    const lowered = await tftpGet({ host: '127.0.0.1', port: t.port, file: 'f513.bin', blksize: 999_999_999_999 });
    assert.equal(lowered.blksize, 65464, 'a blksize over the RFC 2348 range is lowered to 65464');
    const q = await rawPeer();
    q.send(encodeRequest(OPCODE.RRQ, 'f513.bin', 'octet', [{ name: 'blksize', value: '9'.repeat(400) }, { name: 'timeout', value: '9'.repeat(30) }]), t.port);
    const [first] = await q.waitFor(() => true, 'an answer to absurd option values');
    assert.ok(first.packet?.op === OPCODE.DATA && first.packet.block === 1 && first.packet.data.length === 512, 'absurd values are left out: no OACK, 512-byte blocks');
    const prng = new Prng(0x1350);
    const shapes = [
      () => Buffer.from(Array.from({ length: prng.int(64) }, () => prng.int(256))),
      () => Buffer.concat([Buffer.from([0, 1 + prng.int(6)]), Buffer.from(Array.from({ length: prng.int(40) }, () => prng.pick([0, 0x2e, 0x2f, 0x41, prng.int(256)])))]),
      () => encodeRequest(OPCODE.RRQ, prng.pick(['f0.bin', '../x', '/etc/passwd', 'nope', 'f511.bin']), 'octet', [{ name: prng.pick(['blksize', 'tsize', 'timeout', 'x']), value: prng.pick(['0', '7', '65465', '99999999999999999999999', '-1', 'abc', '']) }]),
      () => encodeData(prng.int(65536), Buffer.alloc(prng.int(600))),
      () => encodeAck(prng.int(65536)),
      () => encodeError(prng.int(10), 'x'),
      () => encodeOack([{ name: 'blksize', value: '8' }]),
    ];
    const fuzzers = [await rawPeer(), await rawPeer(), await rawPeer()];
    for (let i = 0; i < 3000; i++) {
      fuzzers[i % 3].send(prng.pick(shapes)(), t.port);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    const r = await slow;
    assert.deepEqual(r.data, patternBytes(102400, 102401), 'the concurrent transfer completed intact');
    while (t.server.activeTransfers > 0) await new Promise((res) => setTimeout(res, 50)); // the fuzzers' unACKed transfers give up
    const after = await tftpGet({ host: '127.0.0.1', port: t.port, file: 'f512.bin' });
    assert.deepEqual(after.data, patternBytes(512, 513), 'the server still serves');
    assert.ok(t.logs.some((e) => e.event === 'malformed'));
  });
});

describe('TFTP read transfer: block numbers past 65535', () => {
  it('wraps from 65535 to 0 and ends on the last block', async () => {
    const sent: TftpPacket[] = [];
    const fake = new EventEmitter() as EventEmitter & { send: (b: Buffer) => void };
    const peer = { address: '127.0.0.1', port: 4000 };
    const reply = (b: Buffer) => fake.emit('message', b, { address: peer.address, port: peer.port, family: 'IPv4', size: b.length });
    fake.send = (b: Buffer) => {
      const d = decodePacket(b);
      if (!d.ok) throw new Error(d.problem);
      sent.push(d.packet);
      if (d.packet.op === OPCODE.DATA) setImmediate(() => reply(encodeAck((d.packet as { block: number }).block)));
    };
    const data = patternBytes(8 * 65537 + 3);
    const t = new ReadTransfer({ socket: fake as unknown as dgram.Socket, peer, data, blksize: 8, oack: [], timeoutMs: 5000, maxRetries: 1 });
    t.start();
    const r = await t.done;
    assert.ok(r.ok);
    assert.equal(r.blocks, 65538);
    const blocks = sent.map((p) => (p.op === OPCODE.DATA ? p.block : -1));
    assert.deepEqual(blocks.slice(65533, 65538), [65534, 65535, 0, 1, 2]);
    const got = Buffer.concat(sent.map((p) => (p.op === OPCODE.DATA ? p.data : Buffer.alloc(0))));
    assert.deepEqual(got, data);
  });
});

describe('`itl-lens tftp-server`', function () {
  this.timeout(30_000);
  it('serves the root folder until stopped, on 127.0.0.1 by default', async () => {
    const root = tempRoot();
    fs.writeFileSync(path.join(root, 'ITLFile.tlv'), patternBytes(700));
    let out = '';
    const stop = new AbortController();
    const serving = serveTftp(parseArgs(['--root', root, '--port', '0', '--per-address', '2'], { values: ['--root', '--port', '--per-address'] }), { cwd: root, out: (t) => (out += t), err: () => undefined }, stop.signal);
    const port = Number(await until(() => /TFTP server listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1], 'the listening line', 20_000));
    const r = await tftpGet({ host: '127.0.0.1', port, file: 'ITLFile.tlv' });
    assert.deepEqual(r.data, patternBytes(700));
    // the client is done once its last ACK is sent; the server's log line follows that ACK's arrival
    await until(() => /transfer-done/.test(out), 'transfer-done');
    stop.abort();
    assert.equal(await serving, 0);
    assert.match(out, /transfer-done +127\.0\.0\.1:\d+ sent "ITLFile\.tlv": 700 bytes in 2 block/);
    assert.match(out, /TFTP server stopped/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses a missing root and bad numbers with a usage error', async () => {
    const missing = await runCli(['tftp-server', '--root', '/nonexistent/itl-lens-tftp', '--port', '0']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot serve \/nonexistent\/itl-lens-tftp: no such folder/);
    const bad = await runCli(['tftp-server', '--root', '.', '--per-address', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--per-address: '0' is not a whole number of at least 1/);
    const help = await runCli(['--help']);
    for (const c of ['tftp-server', 'tvs-server', 'tvs ']) assert.ok(help.out.includes(`  ${c}`), c);
  });
});

describe('TFTP client (for the phone emulator) against a scripted server', function () {
  this.timeout(30_000);
  const server = async () => RawPeer.open();

  it('resends its RRQ when nothing answers, ACKs the OACK, re-ACKs a repeated block, and ignores other ports', async () => {
    const s = await server();
    try {
      const data = patternBytes(1000, 9);
      const got = tftpGet({ host: '127.0.0.1', port: s.port, file: 'ITLFile.tlv', blksize: 600, tsize: true, retransmitMs: 100, maxRetries: 5 });
      const rrqs = await s.waitFor((p) => p.op === OPCODE.RRQ, 'RRQ twice (the first unanswered)', 2);
      assert.ok(rrqs[0].packet?.op === OPCODE.RRQ && rrqs[0].packet.options.some((o) => o.name === 'blksize' && o.value === '600'));
      const client = rrqs[0].from.port;
      s.send(encodeOack([{ name: 'blksize', value: '600' }, { name: 'tsize', value: '1000' }]), client);
      await s.waitFor((p) => p.op === OPCODE.ACK && p.block === 0, 'ACK 0');
      s.send(encodeData(1, data.subarray(0, 600)), client);
      await s.waitFor((p) => p.op === OPCODE.ACK && p.block === 1, 'ACK 1');
      s.send(encodeData(1, data.subarray(0, 600)), client); // as if ACK 1 had been lost
      await s.waitFor((p) => p.op === OPCODE.ACK && p.block === 1, 'ACK 1 again', 2);
      const stranger = await RawPeer.open();
      stranger.send(encodeData(2, Buffer.from('forged')), client);
      const [e5] = await stranger.waitFor((p) => p.op === OPCODE.ERROR, 'ERROR 5 to a stranger');
      assert.ok(e5.packet?.op === OPCODE.ERROR && e5.packet.code === 5);
      stranger.close();
      s.send(encodeData(2, data.subarray(600)), client);
      const r = await got;
      assert.deepEqual(r.data, data);
      assert.deepEqual([r.negotiated, r.blksize, r.tsize], [true, 600, 1000]);
      assert.ok(r.retransmissions >= 1);
    } finally {
      s.close();
    }
  });

  it('refuses an OACK that raises blksize with ERROR 8, and gives up on a silent server after its retries', async () => {
    const s = await server();
    try {
      const got = tftpGet({ host: '127.0.0.1', port: s.port, file: 'x', blksize: 512, retransmitMs: 100 }).catch((e: Error) => e);
      const [rrq] = await s.waitFor((p) => p.op === OPCODE.RRQ, 'RRQ');
      s.send(encodeOack([{ name: 'blksize', value: '1024' }]), rrq.from.port);
      const [e8] = await s.waitFor((p) => p.op === OPCODE.ERROR, 'ERROR 8');
      assert.ok(e8.packet?.op === OPCODE.ERROR && e8.packet.code === 8);
      assert.match(String(await got), /answered blksize 1024 to a request for 512/);
      const silent = await tftpGet({ host: '127.0.0.1', port: s.port, file: 'y', retransmitMs: 50, maxRetries: 2 }).catch((e: Error) => e);
      assert.ok(silent instanceof TftpError);
      assert.match(silent.message, /no answer .* after 2 retransmission/);
    } finally {
      s.close();
    }
  });
});
