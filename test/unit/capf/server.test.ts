import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { createPublicKey } from 'node:crypto';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { manualClock, ManualClock } from '../../../server/src/core/time/clock';
import { CapfServer } from '../../../server/src/lab/capf/service/capfServer';
import { MAX_QUEUED_MESSAGES, SessionSummary } from '../../../server/src/lab/capf/service/capfSession';
import { OperationLogEntry } from '../../../server/src/lab/capf/service/operationLog';
import { encodeMessage } from '../../../server/src/lab/capf/protocol/codec';
import { authResponse, requestInProgress, storeCertResponse } from '../../../server/src/lab/capf/protocol/messages';
import { runPhone } from '../../../server/src/lab/phone/phoneEmulator';
import { PhoneFolder } from '../../../server/src/lab/phone/phoneIdentity';
import { keyPool } from '../../../server/src/lab/phone/keyGeneration';
import { makeIssuer } from '../../../server/src/lab/capf/service/issuer';
import { createCapfCertificate, createManufacturingCa, issueMic } from '../../../server/src/lab/capf/service/labCertificates';
import { issueLsc } from '../../../server/src/lab/capf/service/lscProfile';
import { ensureLabPhone } from '../../../server/src/lab/environment/labPhones';
import { fixtureKeys, phoneKeys, RawClient, removeTempDirs, tempDir, testKeySource, T0, within } from './helpers';

const DEVICE = 'SEP00AABBCCDDEE';
const HOUR = 3_600_000;

describe('capf: server behaviour', function () {
  this.timeout(60_000);
  let clock: ManualClock;
  let lab: LabEnvironment;
  let server: CapfServer;
  let ended: SessionSummary[];
  let log: OperationLogEntry[];

  async function open(o: Parameters<LabEnvironment['startServer']>[0] = {}) {
    clock = manualClock(T0);
    lab = await LabEnvironment.open({ stateDir: tempDir(), clock: clock.now, keySource: testKeySource() });
    server = await lab.startServer(o);
    ended = [];
    log = [];
    server.onSessionEnd((s) => ended.push(s));
    server.onLog((e) => log.push(e));
  }
  /** Resolves with the n-th finished session (1-based), waiting for it if need be. */
  function sessionEnd(n: number): Promise<SessionSummary> {
    return within(
      new Promise<SessionSummary>((resolve) => {
        if (ended.length >= n) return resolve(ended[n - 1]);
        const off = server.onSessionEnd(() => {
          if (ended.length >= n) {
            off();
            resolve(ended[n - 1]);
          }
        });
      }),
      20_000,
      `session ${n} to end`,
    );
  }
  const rawAuth = (sessionId: number, password = '', deviceName = DEVICE, version?: number) => encodeMessage(authResponse(sessionId, { deviceName, password, version }));
  const install = (fields = {}) => lab.schedule(DEVICE, { certificateOperation: 'Install/Upgrade', operationCompletesBy: new Date(T0.getTime() + HOUR).toISOString(), ...fields });

  afterEach(async () => lab?.close());
  after(removeTempDirs);

  describe('authentication strings', () => {
    it('locks a device for 10 minutes after 10 wrong strings, even against the right one', async () => {
      await open();
      await install({ authenticationMode: 'By Authentication String', authenticationString: '246810' });
      for (let i = 1; i <= 10; i++) {
        const r = await lab.runPhone(DEVICE, { authString: '1111', keys: phoneKeys() });
        assert.equal(r.serverStatus, 'Upgrade Failed: Invalid Authentication String', `try ${i}`);
      }
      assert.match(ended[9].message, /10 in a row\): locked until 2030-03-01T09:10:00/);
      const locked = await lab.runPhone(DEVICE, { authString: '246810', keys: phoneKeys() });
      assert.equal(locked.outcome, 'failed');
      assert.match(ended[10].message, /locked after repeated wrong authentication strings/);
      clock.advance(10 * 60_000 - 1000);
      assert.equal((await lab.runPhone(DEVICE, { authString: '246810', keys: phoneKeys() })).outcome, 'failed');
      clock.advance(1000);
      const after = await lab.runPhone(DEVICE, { authString: '246810', keys: phoneKeys() });
      assert.equal(after.outcome, 'installed', after.problem);
    });

    it('a right string clears earlier failures', async () => {
      await open();
      await install({ authenticationMode: 'By Authentication String', authenticationString: '246810' });
      for (let i = 0; i < 9; i++) await lab.runPhone(DEVICE, { authString: '1111', keys: phoneKeys() });
      assert.equal((await lab.runPhone(DEVICE, { authString: '246810', keys: phoneKeys() })).outcome, 'installed');
      await install({ authenticationMode: 'By Authentication String', authenticationString: '246810' });
      await lab.runPhone(DEVICE, { authString: '1111', keys: phoneKeys() });
      assert.match(ended[ended.length - 1].message, /\(1 in a row\)/);
    });
  });

  describe('Operation Completes By', () => {
    it('refuses a late request', async () => {
      await open();
      await install({ operationCompletesBy: new Date(T0.getTime() - 1).toISOString() });
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys() });
      assert.equal(r.serverStatus, 'Upgrade Failed: User Initiated Request Late/Timedout');
      assert.equal(log.find((e) => e.status === r.serverStatus)?.capfCode, 11);
    });

    it('refuses when the deadline passes while the phone generates its key', async () => {
      await open();
      await install();
      const slow = phoneKeys();
      const r = await lab.runPhone(DEVICE, {
        keys: async (req) => {
          clock.advance(2 * HOUR);
          return slow(req);
        },
      });
      assert.equal(r.outcome, 'failed');
      assert.equal(r.serverStatus, 'Upgrade Failed: User Initiated Request Late/Timedout');
      assert.match(ended[0].message, /passed during key generation/);
    });

    it('applies the deadline to Delete and Troubleshoot with their own names', async () => {
      await open();
      await lab.schedule(DEVICE, { certificateOperation: 'Delete', operationCompletesBy: new Date(T0.getTime() - HOUR).toISOString() });
      assert.equal((await lab.runPhone(DEVICE, { keys: phoneKeys() })).serverStatus, 'Delete Failed: User Initiated Request Late/Timedout');
      await lab.schedule(DEVICE, { certificateOperation: 'Troubleshoot', operationCompletesBy: new Date(T0.getTime() - HOUR).toISOString() });
      assert.equal((await lab.runPhone(DEVICE, { keys: phoneKeys() })).serverStatus, 'Troubleshoot Failed: User Initiated Request Late/Timedout');
    });

    it('Troubleshoot: a certificate the phone hands over that cannot be read fails the fetch and is not kept', async () => {
      await open();
      // a phone whose "LSC" is `der`, asked to hand it over
      const fetchWith = async (der: Buffer) => {
        await lab.schedule(DEVICE, { certificateOperation: 'Troubleshoot', operationCompletesBy: new Date(T0.getTime() + HOUR).toISOString() });
        const identity = { name: DEVICE, lsc: { der, key: fixtureKeys()['tvs-pub'] } };
        return runPhone({ identity, itl: await lab.itl(), server: lab.address, auth: { mode: 'null' }, retries: 0, clock: clock.now, serverStatus: () => lab.deviceStatus(DEVICE) });
      };
      const r = await fetchWith(Buffer.from('not a certificate'));
      assert.equal(r.serverStatus, 'Troubleshoot Failed');
      assert.match((await sessionEnd(1)).message, /returned a certificate that cannot be read/);
      assert.ok(!fs.existsSync(lab.state.fetchedCertificatePath(DEVICE)));
      // a certificate cut short is as unreadable
      const whole = issueLsc(makeIssuer(createCapfCertificate(fixtureKeys().capf, T0, 'CAPF-other'), fixtureKeys().capf), DEVICE, createPublicKey(fixtureKeys()['tvs-pub']), T0).der;
      const cut = await fetchWith(whole.subarray(0, whole.length - 10));
      assert.equal(cut.serverStatus, 'Troubleshoot Failed');
      assert.match((await sessionEnd(2)).message, /returned a certificate that cannot be read/);
    });
  });

  describe('key order', () => {
    it('EC Preferred, RSA Backup: a phone without EC gets an RSA LSC', async () => {
      await open();
      await install({ keyOrder: 'EC Preferred, RSA Backup', ecKeySize: 256, rsaKeySize: 2048 });
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys(), extra: { supportsEc: false } });
      assert.equal(r.outcome, 'installed', r.problem);
      assert.equal(r.lsc?.summary.publicKey, 'RSA 2048');
    });

    it('EC Only with a phone without EC fails with the CAPF version 3 status', async () => {
      await open();
      await install({ keyOrder: 'EC Only', ecKeySize: 521 });
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys(), extra: { supportsEc: false } });
      assert.equal(r.serverStatus, 'Upgrade Failed: No Support for EC only in CAPF version 3');
    });

    it('a key other than the one asked for is refused', async () => {
      await open();
      await install({ rsaKeySize: 2048 });
      const r = await lab.runPhone(DEVICE, { keys: async () => fixtureKeys()['weak-1024'] });
      assert.equal(r.serverStatus, 'Upgrade Failed: Key Generation Failed/Timeout');
      assert.match(ended[0].message, /sent an RSA 1024 key; it was asked for RSA 2048/);
    });
  });

  describe('existing-certificate authentication', () => {
    const other = () => {
      const key = fixtureKeys()['callmanager-sub'];
      return makeIssuer(createCapfCertificate(key, T0, 'CAPF-other'), key);
    };

    it('an LSC from another CAPF is an Invalid LSC', async () => {
      await open();
      await install({ authenticationMode: 'By Existing Certificate (precedence to LSC)' });
      const phone = await ensureLabPhone(lab.state, DEVICE);
      const k = fixtureKeys()['tvs-sub'];
      await phone.folder.saveLsc({ der: issueLsc(other(), DEVICE, createPublicKey(k), T0).der, key: k });
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys() });
      assert.equal(r.serverStatus, 'Upgrade Failed: Invalid LSC');
      assert.match(ended[0].message, /was not issued by this CAPF certificate/);
    });

    it('an LSC of this CAPF issued to another device is an Invalid LSC', async () => {
      await open();
      await install({ authenticationMode: 'By Existing Certificate (precedence to LSC)' });
      const phone = await ensureLabPhone(lab.state, DEVICE);
      const k = fixtureKeys()['tvs-sub'];
      await phone.folder.saveLsc({ der: issueLsc(lab.state.capf, 'SEP000000000001', createPublicKey(k), T0).der, key: k });
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys() });
      assert.equal(r.serverStatus, 'Upgrade Failed: Invalid LSC');
      assert.match(ended[0].message, /issued to "SEP000000000001"/);
    });

    it('a MIC from an unknown manufacturing CA is an Invalid MIC', async () => {
      await open();
      await install({ authenticationMode: 'By Existing Certificate (precedence to MIC)' });
      const caKey = fixtureKeys()['callmanager-pub'];
      const foreignCa = makeIssuer(createManufacturingCa(caKey, T0), caKey);
      const micKey = fixtureKeys()['cert-rsa'];
      const folder = new PhoneFolder(lab.state.phoneDir(DEVICE));
      await folder.saveMic({ der: issueMic(foreignCa, DEVICE, createPublicKey(micKey), T0), key: micKey });
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys() });
      assert.equal(r.serverStatus, 'Upgrade Failed: Invalid MIC');
    });

    it('signatures made with another key do not prove the MIC', async () => {
      await open();
      await install({ authenticationMode: 'By Existing Certificate (precedence to MIC)' });
      const folder = new PhoneFolder(lab.state.phoneDir(DEVICE));
      await folder.saveMic({ der: issueMic(lab.state.manufacturingCa, DEVICE, createPublicKey(fixtureKeys()['cert-rsa']), T0), key: fixtureKeys()['tvs-sub'] });
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys() });
      assert.equal(r.serverStatus, 'Upgrade Failed: Invalid MIC');
      assert.match(ended[0].message, /SIGNED_DATA \(SHA-1\) does not verify/);
    });

    it('an EC MIC proves itself with ECDSA signatures', async () => {
      await open();
      await install({ authenticationMode: 'By Existing Certificate (precedence to MIC)' });
      const ec = fixtureKeys()['ec-p256'];
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys(), micKey: ec });
      assert.equal(r.outcome, 'installed', r.problem);
    });

    it('a phone with no certificate at all gives Invalid Credentials', async () => {
      await open();
      await install({ authenticationMode: 'By Existing Certificate (precedence to LSC)' });
      const r = await runPhone({ identity: { name: DEVICE }, itl: await lab.itl(), server: server.address, auth: { mode: 'certificate', precedence: 'LSC' }, keys: phoneKeys(), retries: 0, serverStatus: () => lab.deviceStatus(DEVICE) });
      assert.equal(r.serverStatus, 'Upgrade Failed: Invalid Credentials');
    });
  });

  describe('protocol faults end the session with a reason and a log line', () => {
    const faults: Array<[string, (sid: number) => Buffer[], RegExp]> = [
      ['a wrong session id', (sid) => [rawAuth(sid + 1)], /carries session id/],
      ['an out-of-order command', (sid) => [encodeMessage(storeCertResponse(sid, 1))], /out-of-order STORE_CERT_RESP \(expected AUTH_RESP\)/],
      ['a protocol version above 3', (sid) => [rawAuth(sid, '', DEVICE, 4)], /speaks CAPF version 4/],
      ['a malformed AUTH_RESP', (sid) => [Buffer.from(`5502${sid.toString(16).padStart(8, '0')}0004` + '01000101', 'hex')], /malformed AUTH_RESP: DEVICE_NAME|VERSION is missing/],
      ['a second REQUEST_IN_PROGRESS', (sid) => [rawAuth(sid), encodeMessage(requestInProgress(sid)), encodeMessage(requestInProgress(sid))], /a second REQUEST_IN_PROGRESS/],
      ['garbage after a good message', (sid) => [rawAuth(sid), Buffer.from('hello, world')], /malformed message: protocol id 0x68/],
      ['an oversized message', () => [Buffer.from('5502000000017fff', 'hex')], /exceeds the 16384-byte limit/],
    ];
    for (const [name, messages, expected] of faults) {
      it(name, async () => {
        await open();
        await install();
        const c = await RawClient.connect(server.address.port);
        const [auth] = await c.messages(1);
        for (const m of messages(auth.message.sessionId)) c.send(m);
        const s = await sessionEnd(1);
        await within(c.closed, 10_000, 'the server closing the connection');
        assert.match(s.message, expected);
        assert.equal(s.reason, 7);
        const last = c.received[c.received.length - 1].raw;
        assert.equal(last.subarray(8).toString('hex'), '01000107', 'END_SESSION 7');
        assert.ok(log.some((e) => e.session === s.sessionId && e.reason === 7), 'a log line with the reason');
      });
    }

    it('a session that breaks off after the operation started leaves "Phone Communication Failure"', async () => {
      await open();
      await install();
      const c = await RawClient.connect(server.address.port);
      const [auth] = await c.messages(1);
      c.send(rawAuth(auth.message.sessionId));
      await c.messages(2); // KEYGEN_REQ
      c.socket.destroy();
      const s = await sessionEnd(1);
      assert.equal(s.outcome, 'peer-closed');
      assert.equal(await lab.deviceStatus(DEVICE), 'Upgrade Failed: Phone Communication Failure');
    });

    it('a second concurrent session for the same device is refused', async () => {
      await open();
      await install();
      const c = await RawClient.connect(server.address.port);
      const [auth] = await c.messages(1);
      c.send(rawAuth(auth.message.sessionId));
      await c.messages(2);
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys() });
      assert.equal(r.outcome, 'failed');
      assert.match((await sessionEnd(1)).message, /another session for this device is under way/);
      c.end();
      await sessionEnd(2);
    });
  });

  describe('timeouts, limits and lifecycle', () => {
    it('ends an idle session, and one stuck in key generation with "Key Generation Failed/Timeout"', async () => {
      await open({ idleTimeoutMs: 500 });
      await install();
      const idle = await RawClient.connect(server.address.port);
      await idle.messages(1);
      const s1 = await sessionEnd(1);
      assert.equal(s1.outcome, 'timeout');
      await within(idle.closed, 10_000, 'the idle connection to close');
      assert.equal(idle.received[1].raw.subarray(8).toString('hex'), '01000107');

      const stuck = await RawClient.connect(server.address.port);
      const [auth] = await stuck.messages(1);
      stuck.send(rawAuth(auth.message.sessionId));
      await stuck.messages(2);
      stuck.send(encodeMessage(requestInProgress(auth.message.sessionId)));
      const s2 = await sessionEnd(2);
      assert.equal(s2.outcome, 'timeout');
      assert.equal(await lab.deviceStatus(DEVICE), 'Upgrade Failed: Key Generation Failed/Timeout');
    });

    it('ends a session whose phone trickles a message in a byte at a time, once the message is older than the idle timeout', async () => {
      await open({ idleTimeoutMs: 400 });
      await install();
      const slow = await RawClient.connect(server.address.port);
      const [auth] = await slow.messages(1);
      const message = rawAuth(auth.message.sessionId);
      let sent = 0;
      const drip = setInterval(() => sent < message.length - 1 && slow.send(message.subarray(sent, ++sent)), 100); // each byte resets the socket's timer
      try {
        const s = await sessionEnd(1);
        assert.equal(s.outcome, 'timeout');
        assert.match(s.message, /a message the phone began 400 ms ago is still incomplete/);
        assert.ok(sent < message.length - 1, 'ended before the message could be completed');
        await within(slow.closed, 10_000, 'the connection to close');
      } finally {
        clearInterval(drip);
      }
    });

    it('ends a session that floods messages while a step is under way, and keeps serving', async () => {
      await open();
      await install();
      const flood = await RawClient.connect(server.address.port);
      const [auth] = await flood.messages(1);
      const id = auth.message.sessionId;
      // AUTH_RESP (whose step awaits the table) and then a burst a phone never sends
      flood.send(Buffer.concat([rawAuth(id), ...Array.from({ length: 8 }, () => encodeMessage(requestInProgress(id)))]));
      const s = await sessionEnd(1);
      assert.equal(s.outcome, 'protocol-error');
      assert.match(s.message, new RegExp(`more than ${MAX_QUEUED_MESSAGES} messages sent without waiting for the server`));
      await within(flood.closed, 10_000, 'the connection to close');
      assert.equal((await lab.runPhone(DEVICE, { keys: phoneKeys() })).outcome, 'installed');
    });

    it('drops a connection whose phone keeps sending after END_SESSION instead of closing', async () => {
      await open({ closeGraceMs: 300 });
      await lab.schedule(DEVICE, { certificateOperation: 'No Pending Operation' });
      const lingering = await RawClient.connect(server.address.port);
      const [auth] = await lingering.messages(1);
      lingering.send(rawAuth(auth.message.sessionId));
      await lingering.messages(2); // END_SESSION: nothing to do
      await sessionEnd(1);
      const started = Date.now();
      const chatter = setInterval(() => lingering.send(Buffer.from([0x55])), 100); // each byte resets the socket's timer
      try {
        await within(lingering.closed, 5_000, 'the server to drop the connection');
        assert.ok(Date.now() - started < 3_000, `dropped after ${Date.now() - started} ms`);
      } finally {
        clearInterval(chatter);
      }
    });

    it('refuses connections beyond the limit and logs it, then serves again', async () => {
      await open({ maxConnections: 2 });
      await lab.schedule(DEVICE, { certificateOperation: 'No Pending Operation' });
      const a = await RawClient.connect(server.address.port);
      const b = await RawClient.connect(server.address.port);
      await Promise.all([a.messages(1), b.messages(1)]);
      const refused = new Promise<void>((resolve) => {
        const off = server.onLog((e) => e.event === 'connection-refused' && (off(), resolve()));
      });
      await assert.rejects(RawClient.connect(server.address.port));
      await within(refused, 10_000, 'the refusal log line');
      a.end();
      await sessionEnd(1);
      // the freed slot may take a moment to be counted free: the phone's own bounded retries cover that
      assert.equal((await lab.runPhone(DEVICE, { keys: phoneKeys(), retries: 5, retryDelayMs: 100 })).outcome, 'no-operation');
      b.end();
    });

    it('survives bytes that are not TLS', async () => {
      await open();
      await lab.schedule(DEVICE, { certificateOperation: 'No Pending Operation' });
      const tlsError = new Promise<OperationLogEntry>((resolve) => {
        const off = server.onLog((e) => e.event === 'tls-error' && (off(), resolve(e)));
      });
      const s = net.connect(server.address.port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
      assert.match((await within(tlsError, 10_000, 'a tls-error line')).message, /TLS handshake failed/);
      s.destroy();
      assert.equal((await lab.runPhone(DEVICE, { keys: phoneKeys() })).outcome, 'no-operation');
    });

    it('a broken device table refuses sessions without touching the file, and recovers when fixed', async () => {
      await open();
      fs.writeFileSync(lab.state.paths.devices, '{ "devices": [ { "name": "SEP1" } ');
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys() });
      assert.equal(r.outcome, 'failed');
      assert.match(ended[0].message, /capf-devices\.json has problems \(fix them in the file; the lab never overwrites it\)/);
      assert.equal(fs.readFileSync(lab.state.paths.devices, 'utf8'), '{ "devices": [ { "name": "SEP1" } ');
      fs.writeFileSync(lab.state.paths.devices, JSON.stringify({ devices: [{ name: DEVICE, certificateOperation: 'Install/Upgrade' }] }));
      assert.equal((await lab.runPhone(DEVICE, { keys: phoneKeys() })).outcome, 'installed');
    });

    it('stop() ends open sessions and resolves; a taken port and a lab folder already served are reported', async () => {
      await open();
      await install();
      const c = await RawClient.connect(server.address.port);
      await c.messages(1);
      await assert.rejects(CapfServer.start({ state: lab.state, port: 0 }), new RegExp(`another CAPF server \\(process ${process.pid}, listening on 127\\.0\\.0\\.1:${server.address.port} since .*\\) serves the lab folder .*: stop it first`));
      const other = await LabEnvironment.open({ stateDir: tempDir(), clock: clock.now, keySource: testKeySource() });
      try {
        await assert.rejects(other.startServer({ port: server.address.port }), /port is in use/);
      } finally {
        await other.close();
      }
      await within(lab.stopServer(), 10_000, 'the server to stop');
      await within(c.closed, 10_000, 'the client to be disconnected');
      assert.ok(log.some((e) => e.event === 'server-stop'));
    });

    it('keys and issued files: private keys are 0600, every write leaves valid JSON', async () => {
      await open();
      await install();
      await lab.runPhone(DEVICE, { keys: keyPool([fixtureKeys()['tvs-pub']]) });
      for (const f of [lab.state.paths.capfKey, lab.state.paths.manufacturingCaKey, `${lab.state.phoneDir(DEVICE)}/mic.key.pem`, `${lab.state.phoneDir(DEVICE)}/lsc.key.pem`]) {
        assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
      }
      JSON.parse(fs.readFileSync(lab.state.paths.devices, 'utf8'));
      const lines = fs.readFileSync(lab.state.paths.log, 'utf8').trim().split('\n');
      for (const l of lines) JSON.parse(l);
    });
  });
});
