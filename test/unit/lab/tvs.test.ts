/**
 * The lab TVS: the wire format of reference part F written out by hand, the store and its CLI, and the
 * server over real TLS on 127.0.0.1 (known and unknown certificates, roles, TTL, malformed input, limits).
 */
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { Prng } from '../../helpers/prng';
import { fixturePath } from '../../helpers/fixtures';
import { runCli } from '../../helpers/cli';
import { fixtureKeys, removeTempDirs, tempDir, within } from '../capf/helpers';
import { until } from './until';
import { parseArgs } from '../../../server/src/cli/io';
import { serveTvs } from '../../../server/src/cli/commands/tvsServer';
import { Issuer } from '../../../server/src/lab/capf/service/issuer';
import { tvsVerify } from '../../../server/src/lab/tvs/tvsClient';
import { loadOrCreateTvsIdentity, tvsPaths } from '../../../server/src/lab/tvs/tvsIdentity';
import { decodeTvsElements, decodeTvsHeader, encodeVerifyRequest, encodeVerifyResponse, parseVerifyRequest, parseVerifyResponse, TvsFramer } from '../../../server/src/lab/tvs/tvsProtocol';
import { TvsLogEntry, TvsServer } from '../../../server/src/lab/tvs/tvsServer';
import { addToTvsStore, loadTvsStore, sha256Hex } from '../../../server/src/lab/tvs/tvsStore';

const DEVICE = 'CP-8841-SEP001122334455';
const der = (rel: string) => new X509Certificate(fs.readFileSync(fixturePath(rel))).raw;

/** VERIFY_REQUEST as part F lays it out, byte by byte (not through the codec). */
function handRequest(sessionId: number, deviceName: string, cert: Buffer): Buffer {
  const name = Buffer.concat([Buffer.from([0x01]), Buffer.from(deviceName, 'ascii')]);
  const body = Buffer.concat([Buffer.from([0x01, name.length >> 8, name.length & 0xff]), name, Buffer.from([0x02, cert.length >> 8, cert.length & 0xff]), cert]);
  const header = Buffer.from([0x57, 0x01, 0x01, 0x00, (sessionId >>> 24) & 0xff, (sessionId >>> 16) & 0xff, (sessionId >>> 8) & 0xff, sessionId & 0xff, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([header, body]);
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('TVS protocol (reference part F)', () => {
  it('writes VERIFY_REQUEST as part F: 0x57, version 1, command 1, pad, u32 session, u16 length, DEVICE_NAME with its leading byte, CERTIFICATE', () => {
    const cert = der('cluster/CallManager.pem');
    assert.deepEqual(encodeVerifyRequest(7, { deviceName: DEVICE, certificate: cert }), handRequest(7, DEVICE, cert));
  });

  it('writes VERIFY_RESPONSE: STATUS 0 with ROLES and TTL (u32), or STATUS 1 alone', () => {
    assert.deepEqual(encodeVerifyResponse(1, { status: 'valid', roles: [3, 21], ttl: 86400 }), hex('57 01 02 00 00000001 0010  07 0001 00  08 0002 03 15  09 0004 00015180'));
    assert.deepEqual(encodeVerifyResponse(0xfffffffe, { status: 'invalid', roles: [] }), hex('57 01 02 00 fffffffe 0004  07 0001 01'));
  });

  it('reads a hand-written response and request', () => {
    const m = hex('57 01 02 00 00000009 000b  07 0001 00  09 0004 0000003c');
    const h = decodeTvsHeader(m);
    assert.ok(h.ok);
    const els = decodeTvsElements(m.subarray(10));
    assert.ok(els.ok);
    const r = parseVerifyResponse({ ...h.value, elements: els.value });
    assert.deepEqual(r, { ok: true, value: { status: 'valid', roles: [], ttl: 60 } });
    const framer = new TvsFramer();
    const cert = der('cluster/ITLRecovery.pem');
    const bytes = handRequest(3, DEVICE, cert);
    assert.equal(framer.push(bytes.subarray(0, 15)).messages.length, 0);
    const out = framer.push(bytes.subarray(15));
    assert.equal(out.messages.length, 1);
    const req = parseVerifyRequest(out.messages[0]);
    assert.ok(req.ok);
    assert.equal(req.value.deviceName, DEVICE);
    assert.deepEqual(req.value.certificate, cert);
  });

  it('says what is wrong with a malformed message and never throws', () => {
    const bad = (b: Buffer) => new TvsFramer().push(b).problem;
    assert.match(bad(hex('58 01 01 00 00000001 0000'))!, /protocol id 0x58/);
    assert.match(bad(hex('57 02 01 00 00000001 0000'))!, /version 2/);
    assert.match(bad(hex('57 01 01 00 00000001 0004 02 0009 00'))!, /says 9 bytes/);
    assert.match(bad(hex('57 01 01 00 00000001 0002 02 00'))!, /cut short/);
    const req = (els: string) => {
      const f = new TvsFramer().push(Buffer.concat([hex(`57 01 01 00 00000001 ${(hex(els).length).toString(16).padStart(4, '0')}`), hex(els)]));
      return parseVerifyRequest(f.messages[0]);
    };
    const name = Buffer.concat([Buffer.from([1]), Buffer.from(DEVICE)]).toString('hex');
    const nameEl = `01 ${(DEVICE.length + 1).toString(16).padStart(4, '0')} ${name}`;
    assert.match((req('') as { problem: string }).problem, /no DEVICE_NAME/);
    assert.match((req(nameEl) as { problem: string }).problem, /no CERTIFICATE/);
    assert.match((req(`${nameEl} 05 0001 00`) as { problem: string }).problem, /unknown element tag 5/);
    const lower = Buffer.concat([Buffer.from([1]), Buffer.from('CP-8841-SEP00112233445a')]).toString('hex');
    assert.match((req(`01 0018 ${lower} 02 0001 00`) as { problem: string }).problem, /not CP-<4 digits>-SEP<12 hex digits>/);
    const prng = new Prng(0x2445);
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(Array.from({ length: prng.int(48) }, () => prng.pick([0x57, 0x01, 0x00, 0x02, 0x07, prng.int(256)])));
      const f = new TvsFramer().push(b);
      for (const m of f.messages) {
        parseVerifyRequest(m);
        parseVerifyResponse(m);
      }
    }
  });
});

describe('TVS store and `itl-lens tvs`', () => {
  after(removeTempDirs);

  it('adds each certificate of a Bulk Certificate Export bundle with roles and TTL, lists and removes them', async () => {
    const lab = tempDir('itl-lens-tvs-');
    const bundle = path.join(lab, '..', `${path.basename(lab)}-other-cluster.pem`);
    fs.writeFileSync(bundle, ['cluster/CallManager.pem', 'cluster/ITLRecovery.pem', 'cluster/CallManager-ECDSA.pem'].map((f) => fs.readFileSync(fixturePath(f), 'utf8')).join('\n'));
    const add = await runCli(['tvs', 'add', '--state', lab, '--role', 'TFTP', '--role', 'ccm', bundle, '--ttl', '3600']);
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, /3 added, 0 updated/);
    const store = await loadTvsStore(tvsPaths(lab).store);
    assert.equal(store.entries.size, 3);
    const cm = store.entries.get(sha256Hex(der('cluster/CallManager.pem')))!;
    assert.deepEqual([cm.roles, cm.roleCodes, cm.ttl], [['CCM', 'TFTP'], [1, 3], 3600]);
    const again = await runCli(['tvs', 'add', '--state', lab, '--role', 'SAST,CCM+TFTP', fixturePath('cluster/CallManager.pem')]);
    assert.match(again.out, /0 added, 1 updated/);
    const updated = (await loadTvsStore(tvsPaths(lab).store)).entries.get(cm.sha256)!;
    assert.deepEqual([updated.roles, updated.ttl], [['SAST', 'CCM+TFTP'], 86400], 'roles and TTL replaced; TTL back to tvsctl default');
    const list = await runCli(['tvs', 'list', '--state', lab, '--json']);
    assert.equal(list.code, 0);
    const json = JSON.parse(list.out) as { certificates: Array<{ sha256: string; pem: string }> };
    assert.equal(json.certificates.length, 3);
    assert.ok(json.certificates.every((c) => c.pem.startsWith('-----BEGIN CERTIFICATE-----')));
    const text = await runCli(['tvs', 'list', '--state', lab]);
    assert.match(text.out, /Roles: +SAST, CCM\+TFTP/);
    const byHash = await runCli(['tvs', 'remove', '--state', lab, cm.sha256.slice(0, 10)]);
    assert.equal(byHash.code, 0, byHash.err);
    assert.match(byHash.out, /1 removed/);
    const byFile = await runCli(['tvs', 'remove', '--state', lab, fixturePath('cluster/ITLRecovery.pem')]);
    assert.match(byFile.out, /1 removed/);
    const none = await runCli(['tvs', 'remove', '--state', lab, 'abcdef12']);
    assert.equal(none.code, 1);
    assert.match(none.err, /no certificate matching abcdef12/);
    assert.equal((await loadTvsStore(tvsPaths(lab).store)).entries.size, 1);
    const raw = JSON.parse(fs.readFileSync(tvsPaths(lab).store, 'utf8')) as { version: number };
    assert.equal(raw.version, 1);
  });

  it('refuses unknown roles, TTLs outside 1-2592000, and files without certificates', async () => {
    const lab = tempDir('itl-lens-tvs-');
    const cert = fixturePath('cluster/CallManager.pem');
    const role = await runCli(['tvs', 'add', '--state', lab, '--role', 'PHONE', cert]);
    assert.equal(role.code, 2);
    assert.match(role.err, /unknown role 'PHONE'/);
    for (const ttl of ['0', '2592001']) {
      const r = await runCli(['tvs', 'add', '--state', lab, '--role', 'TFTP', '--ttl', ttl, cert]);
      assert.equal(r.code, 2, ttl);
      assert.match(r.err, /TTL must be a whole number of seconds from 1 to 2592000/);
    }
    const garbage = await runCli(['tvs', 'add', '--state', lab, '--role', 'TFTP', fixturePath('certs/garbage.pem')]);
    assert.equal(garbage.code, 2);
    assert.ok(!fs.existsSync(tvsPaths(lab).store));
  });

  it('a hand-edited entry whose sha256 does not match its certificate is reported and left out', async () => {
    const lab = tempDir('itl-lens-tvs-');
    const file = tvsPaths(lab).store;
    await addToTvsStore(file, [der('cluster/CallManager.pem'), der('cluster/ITLRecovery.pem')], ['TFTP']);
    const j = JSON.parse(fs.readFileSync(file, 'utf8'));
    j.certificates[0].sha256 = '00'.repeat(32);
    fs.writeFileSync(file, JSON.stringify(j));
    const loaded = await loadTvsStore(file);
    assert.equal(loaded.entries.size, 1);
    assert.match(loaded.problems[0], /is not the SHA-256 of its certificate/);
    const list = await runCli(['tvs', 'list', '--state', lab]);
    assert.equal(list.code, 1);
    await assert.rejects(addToTvsStore(file, [der('cluster/CAPF.pem')], ['CAPF']), /fix or remove them first/);
  });
});

/** A TLS connection that writes raw bytes and keeps what comes back. */
function rawTls(port: number): Promise<{ socket: tls.TLSSocket; data: () => Buffer; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve({ socket, data: () => Buffer.concat(chunks), closed }));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => reject(e));
  });
}

describe('lab TVS server over TLS', function () {
  this.timeout(60_000);
  let lab: string;
  let identity: Issuer;
  let server: TvsServer;
  const logs: TvsLogEntry[] = [];
  const known = () => der('cluster/CallManager.pem');
  const waitLog = (pred: (e: TvsLogEntry) => boolean, what: string) => until(() => logs.find(pred), what, 20_000);

  before(async () => {
    lab = tempDir('itl-lens-tvs-server-');
    identity = await loadOrCreateTvsIdentity(lab, { keySource: async () => fixtureKeys()['tvs-pub'] });
    await addToTvsStore(tvsPaths(lab).store, [known()], ['TFTP', 'CCM+TFTP'], 600);
    server = await TvsServer.start({ identity, storeFile: tvsPaths(lab).store, port: 0, idleTimeoutMs: 1500, handshakeTimeoutMs: 1000, perAddressLimit: 3 });
    server.onLog((e) => logs.push(e));
  });
  after(async () => {
    await server?.stop();
    removeTempDirs();
  });

  it('made its TLS certificate and 0600 key in the lab folder on first use, and loads the same pair next time', async () => {
    const p = tvsPaths(lab);
    assert.equal(fs.statSync(p.key).mode & 0o777, 0o600);
    assert.match(identity.cert.subject.rfc4514, /^CN=TVS-/);
    const again = await loadOrCreateTvsIdentity(lab, { keySource: async () => assert.fail('must not generate again') });
    assert.deepEqual(again.der, identity.der);
  });

  it('answers a hand-written VERIFY_REQUEST for a known certificate with STATUS valid, its ROLES and TTL, echoing the session id', async () => {
    const c = await rawTls(server.address.port);
    c.socket.write(handRequest(0x01020304, DEVICE, known()));
    await until(() => c.data().length >= 26, 'an answer');
    assert.deepEqual(c.data(), hex('57 01 02 00 01020304 0010  07 0001 00  08 0002 02 03  09 0004 00000258'));
    c.socket.end();
    const log = await waitLog((e) => e.event === 'verify' && /valid, roles CCM\+TFTP,TFTP, TTL 600 s/.test(e.message), 'verify log');
    assert.equal(log.device, DEVICE);
  });

  it('answers STATUS invalid alone for a certificate not in the store', async () => {
    const c = await rawTls(server.address.port);
    c.socket.write(handRequest(1, DEVICE, der('cluster/ITLRecovery.pem')));
    await until(() => c.data().length >= 14, 'an answer');
    assert.deepEqual(c.data(), hex('57 01 02 00 00000001 0004  07 0001 01'));
    c.socket.end();
  });

  it('tvsClient: trusts only the given TVS certificate, and sees store edits made while the server runs', async () => {
    const base = { host: '127.0.0.1', port: server.address.port, deviceName: DEVICE, timeoutMs: 10_000 };
    const valid = await tvsVerify({ ...base, trusted: [identity.der], certificate: known() });
    assert.deepEqual([valid.status, valid.roles, valid.ttl, valid.serverCertificateSha256], ['valid', [2, 3], 600, sha256Hex(identity.der)]);
    const other = der('cluster/ITLRecovery.pem');
    assert.deepEqual((await tvsVerify({ ...base, trusted: [identity.der], certificate: other })).status, 'invalid');
    const add = await runCli(['tvs', 'add', '--state', lab, '--role', 'SAST', '--ttl', '120', fixturePath('cluster/ITLRecovery.pem')]);
    assert.equal(add.code, 0, add.err);
    const now = await tvsVerify({ ...base, trusted: [identity.der], certificate: other });
    assert.deepEqual([now.status, now.roles, now.ttl], ['valid', [0], 120]);
    await assert.rejects(tvsVerify({ ...base, trusted: [der('cluster/TVS-ao115pub.pem')], certificate: known() }), /not a trusted TVS certificate/);
    await assert.rejects(tvsVerify({ ...base, trusted: [identity.der], certificate: known(), deviceName: 'SEP001122334455' }), /not CP-<4 digits>-SEP/);
  });

  it('serves several requests on one connection with one session id, and ends one that changes it', async () => {
    const c = await rawTls(server.address.port);
    c.socket.write(Buffer.concat([handRequest(5, DEVICE, known()), handRequest(5, 'CP-7841-SEPAABBCCDDEEFF', der('cluster/CAPF.pem'))]));
    await until(() => c.data().length >= 26 + 14, 'two answers');
    c.socket.write(handRequest(6, DEVICE, known()));
    await within(c.closed, 10_000, 'the server closing the connection');
    assert.equal(c.data().length, 26 + 14, 'no answer to the changed session id');
    await waitLog((e) => e.event === 'malformed' && /session id 6 after 5/.test(e.message), 'session log line');
  });

  it('malformed requests end their connection with a log line; a client connected all along still gets its answer', async () => {
    const bystander = await rawTls(server.address.port);
    const cert = known();
    const valid = handRequest(1, DEVICE, cert);
    const prng = new Prng(0x57);
    const cases: Array<[string, Buffer]> = [
      ['protocol id', Buffer.concat([Buffer.from([0x58]), valid.subarray(1)])],
      ['version', Buffer.concat([valid.subarray(0, 1), Buffer.from([2]), valid.subarray(2)])],
      ['command QUERY_REQUEST', Buffer.concat([valid.subarray(0, 2), Buffer.from([3]), valid.subarray(3)])],
      ['unknown element', Buffer.concat([hex('57 01 01 00 00000001 0004 05 0001 00')])],
      ['element longer than the body', hex('57 01 01 00 00000001 0004 02 00ff 00')],
      ['device name pattern', handRequest(1, 'SEP001122334455', cert)],
      ['no certificate', hex(`57 01 01 00 00000001 ${(DEVICE.length + 4).toString(16).padStart(4, '0')} 01 ${(DEVICE.length + 1).toString(16).padStart(4, '0')} 01 ${Buffer.from(DEVICE).toString('hex')}`)],
      ['certificate not DER', handRequest(1, DEVICE, Buffer.from('not a certificate'))],
      ...Array.from({ length: 12 }, (_, i): [string, Buffer] => [`random ${i}`, Buffer.concat([Buffer.from([0x57, 0x01]), Buffer.from(Array.from({ length: 8 + prng.int(200) }, () => prng.int(256)))])]),
    ];
    for (const [what, bytes] of cases) {
      const before = logs.length;
      const c = await rawTls(server.address.port);
      c.socket.write(bytes);
      if (what.startsWith('random')) c.socket.end(); // a random body may announce more than it sends: our end closes it
      await within(c.closed, 10_000, `${what}: connection closed`);
      assert.equal(c.data().length, 0, `${what}: no answer`);
      if (!what.startsWith('random')) await waitLog((e) => logs.indexOf(e) >= before && e.event === 'malformed', `${what}: malformed log line`);
    }
    bystander.socket.write(valid);
    await until(() => bystander.data().length >= 26, 'the bystander answer');
    assert.equal(bystander.data()[10], 0x07, 'STATUS element first');
    assert.equal(bystander.data()[13], 0x00, 'valid');
    bystander.socket.end();
  });

  it('closes idle connections, trickled messages and stalled handshakes, and holds each address to its connection limit', async () => {
    const idle = await rawTls(server.address.port);
    await within(idle.closed, 10_000, 'idle connection closed');
    await waitLog((e) => e.event === 'timeout', 'idle log line');
    const trickle = await rawTls(server.address.port);
    const slowBytes = handRequest(1, DEVICE, known());
    let sent = 0;
    const drip = setInterval(() => !trickle.socket.destroyed && sent < slowBytes.length && trickle.socket.write(slowBytes.subarray(sent, ++sent)), 200);
    await within(trickle.closed, 10_000, 'trickled message cut off');
    clearInterval(drip);
    assert.equal(trickle.data().length, 0);
    await waitLog((e) => e.event === 'timeout' && /still not complete/.test(e.message), 'trickle log line');
    const stalled = net.connect(server.address.port, '127.0.0.1');
    await within(new Promise<void>((r) => stalled.once('close', () => r())), 10_000, 'stalled handshake closed');
    await waitLog((e) => e.event === 'tls-error', 'handshake log line');
    const held = await Promise.all([rawTls(server.address.port), rawTls(server.address.port), rawTls(server.address.port)]);
    const fourth = net.connect(server.address.port, '127.0.0.1');
    await within(new Promise<void>((r) => fourth.once('close', () => r())), 10_000, 'fourth connection refused');
    await waitLog((e) => e.event === 'connection-refused' && /per-address limit/.test(e.message), 'limit log line');
    const other = await tvsVerify({ host: '127.0.0.1', port: server.address.port, trusted: [identity.der], deviceName: DEVICE, certificate: known(), timeoutMs: 10_000 }).catch((e: Error) => e);
    assert.ok(other instanceof Error, 'still refused while three are held');
    for (const h of held) h.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const ok = await tvsVerify({ host: '127.0.0.1', port: server.address.port, trusted: [identity.der], deviceName: DEVICE, certificate: known(), timeoutMs: 10_000 });
    assert.equal(ok.status, 'valid');
  });

  it('`itl-lens tvs-server` serves from the lab folder until stopped', async () => {
    const dir = tempDir('itl-lens-tvs-cli-');
    fs.mkdirSync(path.join(dir, 'tvs'), { recursive: true });
    // the lab's TVS key comes from the fixtures so the test does not wait for RSA generation
    const id = await loadOrCreateTvsIdentity(dir, { keySource: async () => fixtureKeys()['tvs-sub'] });
    let out = '';
    const stop = new AbortController();
    const serving = serveTvs(parseArgs(['--state', dir, '--port', '0'], { values: ['--state', '--port'] }), { cwd: dir, out: (t) => (out += t), err: () => undefined }, stop.signal);
    const port = Number(await until(() => /TVS server listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1], 'the listening line', 20_000));
    assert.match(out, /TVS certificate: CN=TVS-/);
    const r = await tvsVerify({ host: '127.0.0.1', port, trusted: [id.der], deviceName: DEVICE, certificate: known() });
    assert.equal(r.status, 'invalid');
    stop.abort();
    assert.equal(await serving, 0);
    assert.match(out, /TVS server stopped/);
  });
});
