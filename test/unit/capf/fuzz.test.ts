import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { CapfServer } from '../../../server/src/lab/capf/service/capfServer';
import { SessionSummary } from '../../../server/src/lab/capf/service/capfSession';
import { Command, el, encodeMessage, authResponse, keygenResponse, requestInProgress, storeCertResponse } from '../../../server/src/lab/capf/protocol';
import { parseDeviceTable } from '../../../server/src/lab/model/deviceTable';
import { PhoneResult } from '../../../server/src/lab/phone/phoneEmulator';
import { phoneKeys, prng, RawClient, removeTempDirs, tempDir, testKeySource, within } from './helpers';

const SEED = 0x5eed_ca9f;
const FUZZ_SESSIONS = Number(process.env.FUZZ_N ?? 120);

describe('capf: seeded fuzzing of the server', function () {
  this.timeout(120_000);
  let lab: LabEnvironment;
  let server: CapfServer;

  before(async () => {
    lab = await LabEnvironment.open({ stateDir: tempDir(), keySource: testKeySource() });
    server = await lab.startServer({ idleTimeoutMs: 15_000 });
    for (let i = 0; i < 8; i++) await lab.schedule(`SEP0000000000${(0xc0 + i).toString(16).toUpperCase()}`, { certificateOperation: 'Install/Upgrade' });
    await lab.schedule('SEP00000000FFFF', { certificateOperation: 'Install/Upgrade' });
  });
  after(async () => {
    await lab.close();
    removeTempDirs();
  });

  interface Plan {
    kind: number;
    /** raw bytes for a non-TLS connection */
    junk?: Buffer;
    device: string;
    /** the messages to send, given the session id the server chose; drawn from the PRNG up front */
    messages(sid: number, good: Buffer): Buffer[];
    /** wait for KEYGEN_REQ after the first message */
    awaitKeygen?: boolean;
  }

  /** Draws every random choice of one malicious conversation now, so that the seed alone fixes the input. */
  function plan(r: ReturnType<typeof prng>, index: number): Plan {
    const kind = r.int(9);
    const device = r.int(3) === 0 ? 'SEP00000000FFFF' : `SEP0000000000${(0xc0 + r.int(8)).toString(16).toUpperCase()}`;
    switch (kind) {
      case 0:
        return { kind, device, junk: r.bytes(1 + r.int(300)), messages: () => [] };
      case 1: {
        const junk = r.bytes(1 + r.int(200));
        return { kind, device, messages: () => [junk] };
      }
      case 2: {
        // a valid header announcing a random body
        const body = r.bytes(r.int(100));
        const command = r.int(30);
        const rightSid = r.int(3) !== 0;
        const otherSid = r.next();
        const length = r.int(2) ? body.length : r.int(0x10000);
        return {
          kind,
          device,
          messages: (sid) => {
            const h = Buffer.alloc(8);
            h.writeUInt8(0x55, 0);
            h.writeUInt8(command, 1);
            h.writeUInt32BE(rightSid ? sid : otherSid, 2);
            h.writeUInt16BE(length, 6);
            return [Buffer.concat([h, body])];
          },
        };
      }
      case 3: {
        const cut = r.next();
        return { kind, device, messages: (_sid, good) => [good.subarray(0, 1 + (cut % (good.length - 1)))] };
      }
      case 4: {
        // well-framed messages with random commands and elements
        const shapes = Array.from({ length: 1 + r.int(4) }, () => ({ command: r.int(25), elements: Array.from({ length: r.int(5) }, () => el.bytes(r.int(22), r.bytes(r.int(20)))) }));
        return { kind, device, messages: (sid) => shapes.map((m) => encodeMessage({ ...m, sessionId: sid })) };
      }
      case 5: {
        // a good AUTH_RESP, then nonsense in the key exchange
        const key = r.int(2) ? r.bytes(r.int(300)) : undefined;
        return { kind, device, awaitKeygen: true, messages: (sid, good) => [good, key ? encodeMessage(keygenResponse(sid, { publicKey: key })) : encodeMessage(storeCertResponse(sid, 1))] };
      }
      case 6:
        return { kind, device, messages: (sid, good) => [good, encodeMessage(requestInProgress(sid)), encodeMessage(requestInProgress(sid))] };
      case 7: {
        const flips = Array.from({ length: 1 + r.int(4) }, () => [r.next(), r.int(8)] as const);
        return {
          kind,
          device,
          messages: (_sid, good) => {
            const bad = Buffer.from(good);
            for (const [at, bit] of flips) bad[at % bad.length] ^= 1 << bit;
            return [bad];
          },
        };
      }
      default: {
        // a good message in tiny chunks, then a wrong command with a wrong session id
        const sizes = Array.from({ length: 64 }, () => 1 + r.int(7));
        return {
          kind,
          device,
          messages: (sid, good) => {
            const out: Buffer[] = [];
            for (let at = 0, i = 0; at < good.length; at += sizes[i++ % sizes.length]) out.push(good.subarray(at, at + sizes[i % sizes.length]));
            out.push(encodeMessage({ command: Command.DELETE_CERT_RESP, sessionId: (sid ^ (index + 1)) >>> 0, elements: [] }));
            return out;
          },
        };
      }
    }
  }

  /** Plays one plan; always finishes by closing its side and waiting for the server to close. */
  async function attack(p: Plan, index: number): Promise<void> {
    if (p.junk) {
      const junk = p.junk;
      await within(
        new Promise<void>((resolve) => {
          const s = net.connect(server.address.port, '127.0.0.1', () => {
            s.write(junk);
            s.end();
          });
          s.resume(); // read the server's TLS alert, or 'end' never comes
          s.on('error', () => resolve());
          s.on('close', () => resolve());
        }),
        30_000,
        `non-TLS fuzz connection ${index} to close`,
      );
      return;
    }
    const c = await RawClient.connect(server.address.port);
    const [auth] = await c.messages(1);
    const sid = auth.message.sessionId;
    const good = encodeMessage(authResponse(sid, { deviceName: p.device, password: '' }));
    const [first, ...rest] = p.messages(sid, good);
    if (first) c.send(first);
    if (p.awaitKeygen) await c.messages(2).catch(() => undefined);
    for (const m of rest) c.send(m);
    c.end();
    await within(c.closed, 30_000, `fuzz session ${index} (kind ${p.kind}) to close`);
  }

  it(`${FUZZ_SESSIONS} malformed sessions (seed 0x${SEED.toString(16)}): no crash, each ends with a log line, concurrent good installs unaffected`, async () => {
    const ended: SessionSummary[] = [];
    server.onSessionEnd((s) => ended.push(s));
    const before = server.sessionCount;
    const r = prng(SEED);
    const plans = Array.from({ length: FUZZ_SESSIONS }, (_, i) => plan(r, i));
    const attacks = plans.map((p, i) => attack(p, i));
    const goods: Array<Promise<PhoneResult>> = [];
    for (let i = 0; i < 8; i++) goods.push(lab.runPhone(`SEP0000000000${(0xc0 + i).toString(16).toUpperCase()}`, { keys: phoneKeys(), persist: false, retries: 3, retryDelayMs: 100 }));
    await Promise.all(attacks);
    const results = await Promise.all(goods);
    // The good phones may meet a fuzz session holding their device; the server then refuses them cleanly.
    for (const g of results) assert.ok(g.outcome === 'installed' || (g.outcome === 'failed' && ended.some((e) => /another session for this device/.test(e.message) && e.device === g.device)), `${g.device}: ${g.outcome} ${g.problem}`);
    assert.ok(results.filter((g) => g.outcome === 'installed').length >= 1);

    await within(
      new Promise<void>((resolve) => {
        const check = () => (server.activeSessions === 0 ? resolve() : setImmediate(check));
        check();
      }),
      30_000,
      'every session to end',
    );
    const opened = server.sessionCount - before;
    assert.equal(ended.length, opened, 'every TLS session that opened has ended');
    const entries = await lab.state.log.readAll();
    for (const s of ended) assert.ok(entries.some((e) => e.session === s.sessionId && e.message === s.message), `log line for session ${s.sessionId}`);
    assert.ok(ended.filter((s) => s.outcome === 'protocol-error').length > 10, 'the fuzz hit the protocol checks');
    assert.ok(entries.some((e) => e.event === 'tls-error'), 'non-TLS input was logged');
    const table = parseDeviceTable(fs.readFileSync(lab.state.paths.devices, 'utf8'));
    assert.ok(table.ok, 'the device table is intact');

    // still serving
    await lab.schedule('SEP00000000ABCD', { certificateOperation: 'Install/Upgrade' });
    assert.equal((await lab.runPhone('SEP00000000ABCD', { keys: phoneKeys() })).outcome, 'installed');
  });
});
