import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import schema = require('../../../server/src/lab/model/deviceTable.schema.json');
import {
  AUTHENTICATION_MODES,
  DeviceEntry,
  CERTIFICATE_OPERATIONS,
  EC_KEY_SIZES,
  KEY_ORDERS,
  RSA_KEY_SIZES,
  deviceNameProblem,
  newDeviceEntry,
  parseDeviceTable,
  serializeDeviceTable,
} from '../../../server/src/lab/model/deviceTable';
import { ALL_STATUSES, successStatus } from '../../../server/src/lab/model/operationStatus';
import { DeviceTableReader, readDeviceTable, updateDeviceEntry } from '../../../server/src/lab/capf/service/deviceTableFile';
import { StateLog } from '../../../server/src/lab/capf/service/stateLog';
import { MAX_REGISTERED_LSCS, newDeviceState, operationDue, operationKey, statusFor } from '../../../server/src/lab/model/deviceState';
import { foldStateLog, loadDeviceStatesSync } from '../../../server/src/lab/model/deviceStateFiles';
import { labPaths } from '../../../server/src/lab/model/labLayout';
import { lockedUntil, nextFailure, MAX_AUTH_FAILURES } from '../../../server/src/lab/capf/service/authLockout';
import { normalizeDeviceName, parseAuth, parseDeadline, parseKey, parseOperation, scheduleOperation } from '../../../server/src/lab/capf/service/deviceSchedule';
import { removeTempDirs, tempDir, within } from './helpers';

const entry = (fields: Record<string, unknown>) => JSON.stringify({ devices: [{ name: 'SEP001122334455', certificateOperation: 'Install/Upgrade', ...fields }] });

describe('capf: device table', () => {
  after(removeTempDirs);

  it('device names are SEP + 12 hex digits, with a message that says so', () => {
    assert.equal(deviceNameProblem('SEP001122334455'), undefined);
    assert.match(deviceNameProblem('SEP00112233445') ?? '', /SEP followed by exactly 12 hex digits/);
    assert.match(deviceNameProblem('SEP00112233445G') ?? '', /not a phone device name/);
    assert.match(deviceNameProblem('CIPCjdoe') ?? '', /e\.g\. SEP001122334455/);
    assert.match(deviceNameProblem('sep00112233aabb') ?? '', /must be upper case: SEP00112233AABB/);
    assert.match(deviceNameProblem('../../etc/passwd') ?? '', /not a phone device name/);
    assert.match(deviceNameProblem(undefined) ?? '', /is required/);
  });

  it('fills CUCM defaults and accepts a minimal entry', () => {
    const r = parseDeviceTable(entry({}));
    assert.ok(r.ok);
    assert.deepEqual(r.table.devices[0], newDeviceEntry('SEP001122334455', { certificateOperation: 'Install/Upgrade' }));
    assert.equal(r.table.devices[0].authenticationMode, 'By Null String');
    assert.equal(r.table.devices[0].rsaKeySize, 2048);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', '{ devices: ', /^\$: not valid JSON/],
    ['not an object', '[]', /must be an object/],
    ['no devices array', '{"devices": {}}', /"devices" must be an array/],
    ['an unknown top-level field', '{"devices": [], "device": []}', /unknown field "device"/],
    ['a typo in a field name', entry({ keyorder: 'RSA Only' }), /devices\[0\]\.keyorder: unknown field/],
    ['a bad operation', entry({ certificateOperation: 'Install' }), /certificateOperation: must be one of "Install\/Upgrade"/],
    ['a bad mode', entry({ authenticationMode: 'Null' }), /authenticationMode: must be one of/],
    ['a string mode without a string', entry({ authenticationMode: 'By Authentication String' }), /needs an authenticationString of 4 to 10 digits/],
    ['a short string', entry({ authenticationMode: 'By Authentication String', authenticationString: '123' }), /4 to 10 digits/],
    ['letters in the string', entry({ authenticationMode: 'By Authentication String', authenticationString: '12ab56' }), /4 to 10 digits/],
    ['an RSA size CUCM does not offer', entry({ rsaKeySize: 1536 }), /rsaKeySize: must be one of 512, 1024, 2048, 3072, 4096/],
    ['an EC size CUCM does not offer', entry({ ecKeySize: 512 }), /ecKeySize: must be one of 256, 384, 521/],
    ['a deadline without a zone', entry({ operationCompletesBy: '2030-01-01T10:00:00' }), /ISO-8601 date and time with a zone/],
    ['a deadline that is no date', entry({ operationCompletesBy: 'tomorrow' }), /ISO-8601/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name} with a path and a reason`, () => {
      const r = parseDeviceTable(text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.problems.some((p) => message.test(`${p.path}: ${p.message}`)), JSON.stringify(r.problems));
    });
  }

  it('rejects duplicate names and bad names', () => {
    const r = parseDeviceTable(JSON.stringify({ devices: [{ name: 'SEP001122334455', certificateOperation: 'Delete' }, { name: 'SEP001122334455', certificateOperation: 'Delete' }, { name: 'phone1', certificateOperation: 'Delete' }] }));
    assert.ok(!r.ok);
    assert.ok(r.problems.some((p) => p.path === 'devices[1].name' && /already listed at devices\[0\]/.test(p.message)));
    assert.ok(r.problems.some((p) => p.path === 'devices[2].name'));
  });

  it('writes what it reads, fields in page order', () => {
    const text = entry({ operationCompletesBy: '2030-01-01T10:00:00Z', operationScheduledAt: '2029-12-31T10:00:00Z', rsaKeySize: 4096, authenticationMode: 'By Authentication String', authenticationString: '1234' });
    const r = parseDeviceTable(text);
    assert.ok(r.ok);
    const again = parseDeviceTable(serializeDeviceTable(r.table));
    assert.deepEqual(again, r);
    const keys = Object.keys(JSON.parse(serializeDeviceTable(r.table)).devices[0]);
    assert.deepEqual(keys, ['name', 'certificateOperation', 'authenticationMode', 'authenticationString', 'keyOrder', 'rsaKeySize', 'ecKeySize', 'operationCompletesBy', 'operationScheduledAt']);
  });

  it('writes the same text as JSON.stringify, also for values with line breaks and other escapes', () => {
    const devices: DeviceEntry[] = [newDeviceEntry('SEP001122334455'), { ...newDeviceEntry('SEP00112233445A'), authenticationString: '12"4\n' }];
    const pageOrder = ['devices', 'name', 'certificateOperation', 'authenticationMode', 'authenticationString', 'keyOrder', 'rsaKeySize', 'ecKeySize', 'operationCompletesBy', 'operationScheduledAt'];
    assert.equal(serializeDeviceTable({ devices }), `${JSON.stringify({ devices }, pageOrder, 2)}\n`);
    assert.equal(serializeDeviceTable({ devices: [] }), `${JSON.stringify({ devices: [] }, null, 2)}\n`);
  });

  it('accepts and ignores the fields older servers wrote into the table (status, lsc)', () => {
    const lsc = { serialNumber: '01', subject: 'CN=SEP001122334455', issuer: 'CN=CAPF', notBefore: 'a', notAfter: 'b', publicKey: 'RSA 2048', sha1: '00' };
    const r = parseDeviceTable(entry({ certificateOperationStatus: 'Upgrade Success', lsc }));
    assert.ok(r.ok);
    assert.deepEqual(Object.keys(r.table.devices[0]).sort(), Object.keys(newDeviceEntry('SEP001122334455')).sort());
  });

  it('the JSON schema names the same fields and values as the validator', () => {
    const device = schema.definitions.device;
    assert.deepEqual(device.properties.certificateOperation.enum, [...CERTIFICATE_OPERATIONS]);
    assert.deepEqual(device.properties.authenticationMode.enum, [...AUTHENTICATION_MODES]);
    assert.deepEqual(device.properties.keyOrder.enum, [...KEY_ORDERS]);
    assert.deepEqual(device.properties.rsaKeySize.enum, [...RSA_KEY_SIZES]);
    assert.deepEqual(device.properties.ecKeySize.enum, [...EC_KEY_SIZES]);
    assert.equal(device.properties.name.pattern, '^SEP[0-9A-F]{12}$');
    assert.equal(device.properties.authenticationString.pattern, '^[0-9]{4,10}$');
    const written = Object.keys(JSON.parse(serializeDeviceTable({ devices: [{ ...newDeviceEntry('SEP001122334455'), authenticationString: '1234', operationCompletesBy: 'x', operationScheduledAt: 'y' }] })).devices[0]);
    assert.deepEqual(Object.keys(device.properties), [...written, 'certificateOperationStatus', 'lsc'], 'every field, and the two legacy ones (deprecated)');
  });

  it('the status list is XCertificateStatus: no CA causes for Troubleshoot', () => {
    assert.ok(ALL_STATUSES.includes('Upgrade Failed: User Initiated Request Late/Timedout'));
    assert.ok(ALL_STATUSES.includes('Delete Failed: CA Rejected Connection'));
    assert.ok(!ALL_STATUSES.includes('Troubleshoot Failed: CA Rejected Connection'));
    assert.ok(ALL_STATUSES.includes('Upgrade Failed: No Support for EC only in CAPF version 3'));
  });

  describe('the table file', () => {
    it('the server reads edits made by others, and a broken file is an error, never rewritten', async () => {
      const file = path.join(tempDir(), 'capf-devices.json');
      const reader = new DeviceTableReader(file);
      assert.equal(await reader.get('SEP001122334455'), undefined, 'no table: no devices');
      await updateDeviceEntry(file, 'SEP001122334455', (e) => (e.certificateOperation = 'Install/Upgrade'));
      assert.equal((await reader.get('SEP001122334455'))?.certificateOperation, 'Install/Upgrade');
      fs.writeFileSync(file, JSON.stringify({ devices: [newDeviceEntry('SEP00112233AAAA')] }));
      assert.equal(await reader.get('SEP001122334455'), undefined);
      assert.ok(await reader.get('SEP00112233AAAA'));
      fs.writeFileSync(file, '{"devices": [');
      await assert.rejects(reader.get('SEP00112233AAAA'), /has problems/);
      await assert.rejects(updateDeviceEntry(file, 'SEP001122334455', () => undefined), /never overwrites it/);
      assert.equal(fs.readFileSync(file, 'utf8'), '{"devices": [');
      assert.equal((await readDeviceTable(path.join(tempDir(), 'none.json'))).ok, true);
    });
  });

  describe('the server state', () => {
    const at = (iso: string) => new Date(iso);
    const install = { ...newDeviceEntry('SEP001122334455'), certificateOperation: 'Install/Upgrade' as const, operationCompletesBy: '2030-01-01T00:00:00Z' };

    it('an operation is identified by operation, deadline and schedule time; done once, due again when scheduled anew', () => {
      const key = operationKey(install) as string;
      assert.equal(key, 'Install/Upgrade|2030-01-01T00:00:00Z|');
      assert.equal(operationKey({ ...install, certificateOperation: 'No Pending Operation' }), undefined);
      const done = { ...newDeviceState(install.name, at('2026-01-01T00:00:00Z')), completedKey: key, operationKey: key, certificateOperationStatus: 'Upgrade Success' };
      assert.equal(operationDue(install, undefined), true);
      assert.equal(operationDue(install, done), false);
      assert.equal(operationDue({ ...install, operationScheduledAt: '2026-02-01T00:00:00Z' }, done), true);
      assert.equal(operationDue({ ...install, operationCompletesBy: '2031-01-01T00:00:00Z' }, done), true);
    });

    it('the status is CUCM\'s: Pending until the server reports on that operation, its result after', () => {
      const key = operationKey(install) as string;
      const s = newDeviceState(install.name, at('2026-01-01T00:00:00Z'));
      assert.equal(statusFor(undefined, undefined), 'None');
      assert.equal(statusFor(install, undefined), 'Operation Pending');
      assert.equal(statusFor(install, { ...s, operationKey: key, certificateOperationStatus: 'Upgrade Failed: Invalid Authentication String' }), 'Upgrade Failed: Invalid Authentication String');
      assert.equal(statusFor(install, { ...s, operationKey: 'Install/Upgrade|old|', certificateOperationStatus: 'Upgrade Failed' }), 'Operation Pending', 'a failure of an earlier operation');
      assert.equal(statusFor(install, { ...s, operationKey: key, completedKey: key, certificateOperationStatus: 'Upgrade Success' }), 'Upgrade Success');
      assert.equal(statusFor({ ...install, certificateOperation: 'No Pending Operation' }, { ...s, certificateOperationStatus: 'Delete Success' }), 'Delete Success');
    });

    it('every change is on disk when it settles, other processes read it, the register keeps the last LSCs', async () => {
      const paths = labPaths(tempDir());
      const log = await StateLog.open(paths.stateLog, () => at('2026-12-07T10:00:00Z'));
      const changes = Array.from({ length: MAX_REGISTERED_LSCS + 3 }, (_, i) =>
        log.update('SEP001122334455', (s) => {
          s.lscs.push({ serialNumber: `0${i}`, issuedAt: 'x', pem: 'p' });
          s.certificateOperationStatus = `Operation Pending`;
        }),
      );
      await Promise.all(changes);
      const read = loadDeviceStatesSync(paths).get('SEP001122334455');
      assert.deepEqual(read?.lscs.map((l) => l.serialNumber), Array.from({ length: MAX_REGISTERED_LSCS }, (_, i) => `0${i + 3}`), 'changes all on disk, newest LSCs kept');
      assert.deepEqual(read, log.get('SEP001122334455'), 'what another process reads is what the server holds');
      assert.ok(fs.readFileSync(paths.stateLog, 'utf8').endsWith('\n'), 'whole lines only');
      await assert.rejects(log.update('../../etc/passwd', () => undefined), /not a phone device name/);
      await log.close();
    });

    it('a line cut short by a crash is skipped, and the next open writes the log anew without it', async () => {
      const paths = labPaths(tempDir());
      const first = await StateLog.open(paths.stateLog, () => at('2026-12-07T10:00:00Z'));
      await first.update('SEP001122334455', (s) => (s.certificateOperationStatus = 'Upgrade Success'));
      await first.close();
      fs.appendFileSync(paths.stateLog, '{"state":{"device":"SEP001122334455","certificateOperationStatus":"Upgr');
      assert.equal(foldStateLog(fs.readFileSync(paths.stateLog, 'utf8')).get('SEP001122334455')?.certificateOperationStatus, 'Upgrade Success');
      const again = await StateLog.open(paths.stateLog, () => at('2026-12-07T10:01:00Z'));
      assert.equal(again.get('SEP001122334455')?.certificateOperationStatus, 'Upgrade Success');
      assert.ok(fs.readFileSync(paths.stateLog, 'utf8').endsWith('}\n'), 'the cut-short line is gone');
      fs.writeFileSync(path.join(path.dirname(paths.stateLog), 'x'), '');
      assert.deepEqual([...foldStateLog('garbage\n{"lsc":{"device":"../x","serialNumber":"1","pem":"p"}}\n[1]\nnull\n').keys()], [], 'strangers are passed over');
      await again.close();
    });

    it('a log that is mostly history is compacted at open, saying the same', async () => {
      const paths = labPaths(tempDir());
      const log = await StateLog.open(paths.stateLog, () => at('2026-12-07T10:00:00Z'));
      for (let i = 0; i < 20; i++) await log.update('SEP001122334455', (s) => (s.certificateOperationStatus = i % 2 ? 'Upgrade Success' : 'Operation Pending'));
      await log.close();
      const before = loadDeviceStatesSync(paths);
      const lines = () => fs.readFileSync(paths.stateLog, 'utf8').trim().split('\n').length;
      assert.equal(lines(), 20);
      await (await StateLog.open(paths.stateLog, () => at('2026-12-07T10:01:00Z'))).close();
      assert.equal(lines(), 1);
      assert.deepEqual(loadDeviceStatesSync(paths), before);
    });

    it('ten wrong strings lock the device for ten minutes; a lock that ran out starts a fresh count', () => {
      const now = at('2026-12-07T10:00:00Z');
      let s = newDeviceState('SEP001122334455', now);
      for (let i = 1; i < MAX_AUTH_FAILURES; i++) {
        s = { ...s, authFailures: nextFailure(s, now) };
        assert.equal(lockedUntil(s, now), undefined);
      }
      s = { ...s, authFailures: nextFailure(s, now) };
      assert.equal(lockedUntil(s, now)?.toISOString(), '2026-12-07T10:10:00.000Z');
      const later = at('2026-12-07T10:10:01Z');
      assert.equal(lockedUntil(s, later), undefined);
      assert.deepEqual(nextFailure(s, later), { count: 1 });
    });
  });

  describe('scheduling from short options', () => {
    it('parses operations, authentication, keys and deadlines, refusing the rest clearly', () => {
      assert.deepEqual(parseOperation('fetch'), { ok: true, value: 'Troubleshoot' });
      assert.equal(parseOperation('upgrade').ok, false);
      assert.deepEqual(parseAuth('string:123456'), { ok: true, value: { mode: 'By Authentication String', authenticationString: '123456' } });
      assert.match((parseAuth('string:12') as { message: string }).message, /4 to 10 digits/);
      assert.deepEqual(parseAuth('mic'), { ok: true, value: { mode: 'By Existing Certificate (precedence to MIC)' } });
      assert.deepEqual(parseKey('ec:P-384'), { ok: true, value: { keyOrder: 'EC Only', ecKeySize: 384 } });
      assert.deepEqual(parseKey('ec-preferred:256'), { ok: true, value: { keyOrder: 'EC Preferred, RSA Backup', ecKeySize: 256 } });
      assert.deepEqual(parseKey('rsa:3072'), { ok: true, value: { keyOrder: 'RSA Only', rsaKeySize: 3072 } });
      assert.equal(parseKey('rsa:1536').ok, false);
      assert.equal(parseKey('dsa:1024').ok, false);
      assert.equal(parseDeadline('2030-01-31').ok, false);
      assert.deepEqual(parseDeadline('2030-01-31T17:00:00+01:00'), { ok: true, value: '2030-01-31T16:00:00.000Z' });
      assert.deepEqual(normalizeDeviceName(' sep00112233aabb '), { ok: true, value: 'SEP00112233AABB' });
    });

    it('a new operation is stamped as scheduled (anew each time, even on a clock that stands still) and drops an old deadline', async () => {
      const file = path.join(tempDir(), 'capf-devices.json');
      const now = new Date('2026-12-07T10:00:00Z');
      const first = await scheduleOperation(file, { device: 'SEP001122334455', operation: 'Install/Upgrade', deadline: '2020-01-01T00:00:00.000Z', auth: { mode: 'By Authentication String', authenticationString: '1234' } }, now);
      assert.equal(first.operationScheduledAt, '2026-12-07T10:00:00.000Z');
      const e = await scheduleOperation(file, { device: 'SEP001122334455', operation: 'Delete' }, now);
      assert.equal(e.operationScheduledAt, '2026-12-07T10:00:00.001Z', 'a second save is a new operation');
      assert.equal(e.operationCompletesBy, undefined);
      assert.equal(e.authenticationString, '1234', 'the mode and string stay when not given');
      assert.ok(parseDeviceTable(fs.readFileSync(file, 'utf8')).ok);
      const none = await scheduleOperation(file, { device: 'SEP001122334455', operation: 'No Pending Operation' }, now);
      assert.equal(none.operationScheduledAt, undefined);
    });
  });
});
