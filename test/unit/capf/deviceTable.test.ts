import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import schema = require('../../../server/src/capf/deviceTable.schema.json');
import {
  AUTHENTICATION_MODES,
  DeviceEntry,
  CERTIFICATE_OPERATIONS,
  EC_KEY_SIZES,
  KEY_ORDERS,
  RSA_KEY_SIZES,
  copyDeviceEntry,
  deviceNameProblem,
  newDeviceEntry,
  parseDeviceTable,
  serializeDeviceTable,
} from '../../../server/src/capf/server/deviceTable';
import { ALL_STATUSES, successStatus } from '../../../server/src/capf/server/operationStatus';
import { DeviceTableStore } from '../../../server/src/capf/server/deviceTableStore';
import { journalHeader, journalLines, journalPathFor, tableHash } from '../../../server/src/capf/server/deviceTableJournal';
import { liveOwner, ownerPathFor } from '../../../server/src/capf/server/tableOwner';
import { RegisteredLsc } from '../../../server/src/capf/server/lscRegister';
import { normalizeDeviceName, parseAuth, parseDeadline, parseKey, parseOperation, scheduleOperation } from '../../../server/src/capf/server/deviceSchedule';
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
    ['a made-up status', entry({ certificateOperationStatus: 'Done' }), /not a Certificate Operation Status CUCM uses/],
    ['a broken lsc record', entry({ lsc: { serialNumber: 1 } }), /lsc: kept by the server/],
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
    const text = entry({ operationCompletesBy: '2030-01-01T10:00:00Z', rsaKeySize: 4096, authenticationMode: 'By Authentication String', authenticationString: '1234' });
    const r = parseDeviceTable(text);
    assert.ok(r.ok);
    const again = parseDeviceTable(serializeDeviceTable(r.table));
    assert.deepEqual(again, r);
    const keys = Object.keys(JSON.parse(serializeDeviceTable(r.table)).devices[0]);
    assert.deepEqual(keys, ['name', 'certificateOperation', 'authenticationMode', 'authenticationString', 'keyOrder', 'rsaKeySize', 'ecKeySize', 'operationCompletesBy', 'certificateOperationStatus']);
  });

  it('writes the same text as JSON.stringify, also for values with line breaks and other escapes', () => {
    const lsc = { serialNumber: '01', subject: 'CN=SEP001122334455,O=two\nlines "quoted" \\ tab\t é', issuer: 'CN=CAPF', notBefore: 'a', notAfter: 'b', publicKey: 'RSA 2048', sha1: '00' };
    const devices: DeviceEntry[] = [{ ...newDeviceEntry('SEP001122334455'), lsc }, { ...newDeviceEntry('SEP00112233445A'), authenticationString: '1234' }];
    const ordered = devices.map((d) => JSON.parse(JSON.stringify(d, ['name', 'certificateOperation', 'authenticationMode', 'authenticationString', 'keyOrder', 'rsaKeySize', 'ecKeySize', 'operationCompletesBy', 'certificateOperationStatus', 'lsc', ...Object.keys(lsc)])));
    assert.equal(serializeDeviceTable({ devices }), `${JSON.stringify({ devices: ordered }, null, 2)}\n`);
    assert.deepEqual(parseDeviceTable(serializeDeviceTable({ devices })), { ok: true, table: { devices } });
  });

  it('reads the server\'s lsc record by its fields only, so that a copy of an entry shares nothing', () => {
    const lsc = { serialNumber: '01', subject: 'CN=SEP001122334455', issuer: 'CN=CAPF', notBefore: 'a', notAfter: 'b', publicKey: 'RSA 2048', sha1: '00' };
    const r = parseDeviceTable(entry({ lsc: { ...lsc, note: { nested: true } } }));
    assert.ok(r.ok);
    assert.deepEqual(r.table.devices[0].lsc, lsc);
  });

  it('copies an entry as structuredClone does, sharing nothing with it', () => {
    const lsc = { serialNumber: '01', subject: 'CN=SEP001122334455', issuer: 'CN=CAPF', notBefore: 'a', notAfter: 'b', publicKey: 'RSA 2048', sha1: '00' };
    for (const original of [{ ...newDeviceEntry('SEP001122334455'), operationCompletesBy: '2030-01-01T00:00:00Z', lsc }, newDeviceEntry('SEP001122334455')]) {
      const copy = copyDeviceEntry(original);
      assert.deepEqual(copy, structuredClone(original));
      assert.notEqual(copy, original);
      if (copy.lsc) {
        assert.notEqual(copy.lsc, original.lsc);
        copy.lsc.subject = 'changed';
        assert.equal(original.lsc?.subject, 'CN=SEP001122334455');
      }
      copy.certificateOperationStatus = 'changed';
      assert.notEqual(original.certificateOperationStatus, 'changed');
    }
  });

  it('the JSON schema names the same fields and values as the validator', () => {
    const device = schema.definitions.device;
    assert.deepEqual(device.properties.certificateOperation.enum, [...CERTIFICATE_OPERATIONS]);
    assert.deepEqual(device.properties.authenticationMode.enum, [...AUTHENTICATION_MODES]);
    assert.deepEqual(device.properties.keyOrder.enum, [...KEY_ORDERS]);
    assert.deepEqual(device.properties.rsaKeySize.enum, [...RSA_KEY_SIZES]);
    assert.deepEqual(device.properties.ecKeySize.enum, [...EC_KEY_SIZES]);
    assert.deepEqual(device.properties.certificateOperationStatus.enum, [...ALL_STATUSES]);
    assert.equal(device.properties.name.pattern, '^SEP[0-9A-F]{12}$');
    assert.equal(device.properties.authenticationString.pattern, '^[0-9]{4,10}$');
    assert.deepEqual(Object.keys(device.properties), Object.keys(JSON.parse(serializeDeviceTable({ devices: [{ ...newDeviceEntry('SEP001122334455'), authenticationString: '1234', operationCompletesBy: 'x', lsc: {} as never }] })).devices[0]));
  });

  it('the status list is XCertificateStatus: no CA causes for Troubleshoot', () => {
    assert.ok(ALL_STATUSES.includes('Upgrade Failed: User Initiated Request Late/Timedout'));
    assert.ok(ALL_STATUSES.includes('Delete Failed: CA Rejected Connection'));
    assert.ok(!ALL_STATUSES.includes('Troubleshoot Failed: CA Rejected Connection'));
    assert.ok(ALL_STATUSES.includes('Upgrade Failed: No Support for EC only in CAPF version 3'));
  });

  describe('store', () => {
    it('batches concurrent changes into few whole-file atomic writes', async () => {
      const store = new DeviceTableStore(path.join(tempDir(), 'capf-devices.json'));
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.upsert(newDeviceEntry(`SEP0000000000${i.toString(16).padStart(2, '0').toUpperCase()}`))));
      assert.ok(store.writes < 50, `${store.writes} writes`);
      const r = parseDeviceTable(fs.readFileSync(store.file, 'utf8'));
      assert.ok(r.ok && r.table.devices.length === 50);
      assert.deepEqual(fs.readdirSync(path.dirname(store.file)), ['capf-devices.json'], 'no temporary files left');
    });

    it('a failing change leaves no trace and does not stop the others', async () => {
      const store = new DeviceTableStore(path.join(tempDir(), 'capf-devices.json'));
      await store.upsert(newDeviceEntry('SEP001122334455'));
      const results = await Promise.allSettled([
        store.update((t) => {
          t.devices[0].certificateOperation = 'Delete';
          throw new Error('changed my mind');
        }),
        store.updateDevice('SEP00112233FFFF', () => undefined),
        store.updateDevice('SEP001122334455', (e) => (e.certificateOperationStatus = 'Operation Pending')),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'fulfilled']);
      const entry = await store.get('SEP001122334455');
      assert.equal(entry?.certificateOperation, 'No Pending Operation');
      assert.equal(entry?.certificateOperationStatus, 'Operation Pending');
    });

    /** An in-memory register whose appends settle after a delay, the fourth failing when asked to. */
    function fakeRegister(failFourth = false) {
      const durable: RegisteredLsc[] = [];
      let n = 0;
      return {
        durable,
        appends: () => n,
        append: (l: RegisteredLsc) =>
          new Promise<void>((resolve, reject) => {
            const i = n++;
            setTimeout(() => (failFourth && l.serialNumber === '04' ? reject(new Error('disk full')) : (durable.push(l), resolve())), (i * 7) % 13);
          }),
        readAll: async () => durable.slice(),
      };
    }
    const lscFor = (device: string, i: number): RegisteredLsc => ({ device, serialNumber: (i + 1).toString(16).padStart(2, '0').toUpperCase(), issuedAt: '2026-11-27T12:00:00.000Z', der: Buffer.from([0x30, i]) });

    it('an LSC is in the register before the change that records it settles; a failed register write fails its batch only', async () => {
      const register = fakeRegister(true);
      const store = new DeviceTableStore(path.join(tempDir(), 'capf-devices.json'), { register });
      const names = Array.from({ length: 20 }, (_, i) => `SEP0000000000${i.toString(16).padStart(2, '0').toUpperCase()}`);
      await Promise.all(names.map((n) => store.upsert(newDeviceEntry(n))));
      const writesBefore = store.writes;
      const results = await Promise.allSettled(
        names.map((n, i) =>
          store.updateDevice(n, (e) => (e.certificateOperationStatus = successStatus('Upgrade')), lscFor(n, i)).then((e) => {
            assert.ok(register.durable.some((l) => l.device === n), 'the LSC is durable before the change settles');
            return e;
          }),
        ),
      );
      assert.ok(store.writes - writesBefore < names.length, `${store.writes - writesBefore} table writes for ${names.length} changes`);
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      assert.ok(failed.includes(3), 'the change whose LSC could not be written fails');
      assert.match(((results[3] as PromiseRejectedResult).reason as Error).message, /disk full/);
      const parsed = parseDeviceTable(fs.readFileSync(store.file, 'utf8'));
      assert.ok(parsed.ok);
      for (const [i, d] of parsed.table.devices.entries()) assert.equal(d.certificateOperationStatus === successStatus('Upgrade'), !failed.includes(i), d.name);
      // a change that is refused records no LSC
      await assert.rejects(store.updateDevice('SEP00112233FFFF', () => undefined, lscFor('SEP00112233FFFF', 40)), /not in the device table/);
      assert.ok(!register.durable.some((l) => l.device === 'SEP00112233FFFF'));
    });

    describe('journal (while a CAPF server runs)', () => {
      const names = Array.from({ length: 12 }, (_, i) => `SEP0000000001${i.toString(16).padStart(2, '0').toUpperCase()}`);
      const tableOnDisk = (file: string) => {
        const r = parseDeviceTable(fs.readFileSync(file, 'utf8'));
        assert.ok(r.ok);
        return r.table;
      };
      async function journaledStore(onRepair?: (m: string) => void, register = fakeRegister(), checkpointMs?: number): Promise<DeviceTableStore> {
        const store = new DeviceTableStore(path.join(tempDir(), 'capf-devices.json'), { onRepair, register, checkpointMs });
        await store.update((t) => (t.devices = names.map((n) => newDeviceEntry(n, { certificateOperation: 'Install/Upgrade' }))));
        await store.startJournal();
        return store;
      }
      /** A server's store that will "die": no checkpoint can run while the test drives it, however slow the machine. */
      const doomedStore = () => journaledStore(undefined, fakeRegister(), 10 * 60_000);
      /**
       * What a journaled store leaves on disk if its process dies now: copies of its table and journal, in a
       * new folder, for the next store to find. The live store is then stopped in its own folder (a clean stop,
       * into its own register), so that nothing it still does can touch the copies.
       */
      async function diesNow(store: DeviceTableStore): Promise<string> {
        const file = path.join(tempDir(), path.basename(store.file));
        fs.copyFileSync(store.file, file);
        fs.copyFileSync(store.journalFile, journalPathFor(file));
        await store.stopJournal();
        return file;
      }
      const succeed = (e: DeviceEntry) => {
        e.certificateOperation = 'No Pending Operation';
        e.certificateOperationStatus = successStatus('Upgrade');
      };

      it('appends results to the journal instead of rewriting the table; every reader sees them; flush writes them in and removes the journal', async () => {
        const register = fakeRegister();
        const store = await journaledStore(undefined, register);
        const writes = store.writes;
        await Promise.all(names.map((n, i) => store.updateDevice(n, succeed, i < 4 ? lscFor(n, i) : undefined)));
        assert.equal(register.appends(), 0, 'the LSCs are durable in the journal, the register gets them at the checkpoint');
        assert.deepEqual(store.journaledLsc(names[2], '03')?.der, lscFor(names[2], 2).der);
        assert.equal(store.writes, writes, 'no whole-table write per batch');
        assert.ok(store.journalWrites >= 1 && store.journalWrites < names.length, `${store.journalWrites} journal appends`);
        assert.ok(tableOnDisk(store.file).devices.every((d) => d.certificateOperationStatus !== successStatus('Upgrade')), 'the table file is not rewritten yet');
        const reader = new DeviceTableStore(store.file);
        for (const n of names) assert.equal((await reader.get(n))?.certificateOperationStatus, successStatus('Upgrade'), `another process sees ${n}`);
        assert.deepEqual((await reader.read()).ok, true);
        assert.equal(reader.journaledLsc(names[3], '04')?.serialNumber, '04', 'and the LSCs not yet in the register');
        await store.flush();
        assert.deepEqual(register.durable.map((l) => l.serialNumber).sort(), ['01', '02', '03', '04']);
        assert.equal(store.journaledLsc(names[2], '03'), undefined);
        assert.ok(tableOnDisk(store.file).devices.every((d) => d.certificateOperationStatus === successStatus('Upgrade')));
        assert.equal(fs.existsSync(store.journalFile), false, 'the journal is gone once its results are in the table');
        await store.stopJournal();
      });

      it('after a stop without a checkpoint (a crash), the next server takes the journal into the table and its LSCs into the register, once', async () => {
        const store = await doomedStore();
        await Promise.all(names.slice(0, 5).map((n, i) => store.updateDevice(n, succeed, lscFor(n, i))));
        // the process dies here: no flush, no checkpoint; say it had put the first LSC in the register already
        const file = await diesNow(store);
        const register = fakeRegister();
        await register.append(lscFor(names[0], 0));
        const repairs: string[] = [];
        const next = new DeviceTableStore(file, { onRepair: (m) => repairs.push(m), register });
        await next.startJournal();
        assert.deepEqual(register.durable.map((l) => l.serialNumber).sort(), ['01', '02', '03', '04', '05'], 'each LSC once');
        assert.equal(repairs.length, 1);
        assert.match(repairs[0], /took 5 result\(s\)/);
        const table = tableOnDisk(file);
        for (const [i, d] of table.devices.entries()) assert.equal(d.certificateOperation, i < 5 ? 'No Pending Operation' : 'Install/Upgrade', d.name);
        assert.equal(fs.existsSync(next.journalFile), false);
        await next.stopJournal();
      });

      it('a write without a server (the CLI) takes an applying journal in too, its LSCs into the register', async () => {
        const store = await doomedStore();
        await store.updateDevice(names[0], succeed, lscFor(names[0], 0));
        // the server dies; `itl-lens capf device` schedules another device
        const file = await diesNow(store);
        const register = fakeRegister();
        const cli = new DeviceTableStore(file, { register });
        await cli.upsert(newDeviceEntry('SEP00112233CCCC', { certificateOperation: 'Delete' }));
        const table = tableOnDisk(file);
        assert.equal(table.devices[0].certificateOperation, 'No Pending Operation');
        assert.ok(table.devices.some((d) => d.name === 'SEP00112233CCCC'));
        assert.deepEqual(register.durable.map((l) => l.serialNumber), ['01']);
        assert.equal(fs.existsSync(cli.journalFile), false);
      });

      /**
       * A table and the journal a server left when it died, written by hand (no live store whose checkpoint
       * timer could still run): results for the first `count` devices, with their LSCs.
       */
      async function deadServerJournal(count: number): Promise<{ file: string; journalFile: string; lines: string[] }> {
        const file = path.join(tempDir(), 'capf-devices.json');
        await new DeviceTableStore(file).update((t) => (t.devices = names.map((n) => newDeviceEntry(n, { certificateOperation: 'Install/Upgrade' }))));
        const records = names.slice(0, count).map((n, i) => {
          const e = newDeviceEntry(n, { certificateOperation: 'Install/Upgrade' });
          succeed(e);
          return { entry: e, add: false, lsc: lscFor(n, i) };
        });
        const text = Buffer.concat([journalHeader(tableHash(fs.readFileSync(file))), journalLines(records)]).toString('utf8');
        return { file, journalFile: journalPathFor(file), lines: text.split('\n') };
      }

      it('says which journal lines it could not read, keeps that journal, and applies the lines it could', async () => {
        const register = fakeRegister();
        const { file, journalFile, lines } = await deadServerJournal(4);
        assert.equal(lines.length, 6, 'header, four records, nothing after the last line break');
        // the disk returns garbage for two lines, and a fifth result was being written
        lines[2] = lines[2].replace('"entry"', '"entrx"');
        lines[4] = `${lines[4].slice(0, 40)}#`;
        fs.writeFileSync(journalFile, `${lines.join('\n')}{"entry":{"name":"SEP00000000`);
        const repairs: string[] = [];
        const next = new DeviceTableStore(file, { onRepair: (m) => repairs.push(m), register });
        await next.startJournal();
        assert.equal(repairs.length, 1, repairs.join('\n'));
        assert.match(repairs[0], /took 2 result\(s\)/);
        assert.match(repairs[0], /skipped 2 line\(s\) of .*capf-devices\.journal that could not be read \(lines 3 and 5\): their results are lost/);
        assert.match(repairs[0], /ignored an incomplete last line of .*capf-devices\.journal \(a write cut short/);
        const kept = /kept as (\S+);/.exec(repairs[0])?.[1];
        assert.ok(kept && fs.readFileSync(kept, 'utf8').includes('"entrx"'), 'the journal, as it was, is kept beside the table');
        assert.deepEqual(
          tableOnDisk(file).devices.slice(0, 4).map((d) => d.certificateOperation),
          ['No Pending Operation', 'Install/Upgrade', 'No Pending Operation', 'Install/Upgrade'],
          'the readable lines are applied, the unreadable ones are not',
        );
        assert.deepEqual(register.durable.map((l) => l.serialNumber), ['01', '03']);
        assert.equal(fs.existsSync(journalFile), false);
        await next.stopJournal();
      });

      it('a marker whose process is gone, or whose process id now belongs to a later process, is a crashed server: taken over', async function () {
        const dead = await deadServerJournal(1);
        fs.writeFileSync(dead.journalFile, dead.lines.join('\n'));
        const marker = ownerPathFor(dead.file);
        const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
        try {
          const startedAt = new Date().toISOString();
          if (process.platform === 'linux') {
            const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
            const procStart = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
            // the id of the process that runs now, in a marker written by an earlier process with that id
            fs.writeFileSync(marker, JSON.stringify({ pid: child.pid, host: os.hostname(), startedAt, procStart: procStart - 1 }));
            assert.equal(liveOwner(dead.file), undefined, 'a reused process id');
            fs.writeFileSync(marker, JSON.stringify({ pid: child.pid, host: os.hostname(), startedAt, procStart }));
          } else fs.writeFileSync(marker, JSON.stringify({ pid: child.pid, host: os.hostname(), startedAt }));
          // the process that wrote it: live
          assert.equal(liveOwner(dead.file)?.pid, child.pid);
          await assert.rejects(new DeviceTableStore(dead.file, { register: fakeRegister() }).startJournal(), /is served by another CAPF server process \d+ .*if no such server runs, delete .*capf-devices\.server/);
        } finally {
          child.kill();
        }
        await new Promise((r) => child.once('exit', r));
        assert.equal(liveOwner(dead.file), undefined, 'its process is gone');
        const register = fakeRegister();
        const next = new DeviceTableStore(dead.file, { register });
        await next.startJournal();
        assert.deepEqual(register.durable.map((l) => l.serialNumber), ['01'], 'the crashed server\'s journal is taken in');
        assert.equal(JSON.parse(fs.readFileSync(marker, 'utf8')).pid, process.pid, 'and the table claimed');
        await next.stopJournal();
        assert.equal(fs.existsSync(marker), false);
      });

      it('a server does not start on a journal it could not take in, nor on a broken table with a journal: nothing is mixed or lost', async () => {
        const dead = await deadServerJournal(4);
        fs.writeFileSync(dead.journalFile, dead.lines.join('\n'));
        const failing = new DeviceTableStore(dead.file, { register: fakeRegister(true) }); // the register refuses LSC 04: disk full
        await assert.rejects(failing.startJournal(), /could not take .*capf-devices\.journal into .*: disk full; the server can start once it can/);
        assert.equal(liveOwner(dead.file), undefined, 'it did not claim the table');
        assert.equal(fs.readFileSync(dead.journalFile, 'utf8'), dead.lines.join('\n'), 'the journal is as it was');
        const register = fakeRegister();
        const next = new DeviceTableStore(dead.file, { register });
        await next.startJournal();
        assert.deepEqual(register.durable.map((l) => l.serialNumber).sort(), ['01', '02', '03', '04']);
        await next.stopJournal();

        const broken = await deadServerJournal(2);
        fs.writeFileSync(broken.journalFile, broken.lines.join('\n'));
        fs.writeFileSync(broken.file, '{ "devices": [');
        await assert.rejects(new DeviceTableStore(broken.file, { register: fakeRegister() }).startJournal(), /is invalid and .*capf-devices\.journal holds results not yet written into it: mend the table/);
        assert.equal(fs.readFileSync(broken.journalFile, 'utf8'), broken.lines.join('\n'));

        // beside a broken table, a journal cut off inside its header (a crash as it began) holds no result: it
        // goes, and the server starts (refusing sessions until the table is mended)
        fs.writeFileSync(broken.journalFile, broken.lines[0].slice(0, 20));
        const starts = new DeviceTableStore(broken.file, { register: fakeRegister() });
        await starts.startJournal();
        assert.equal(fs.existsSync(broken.journalFile), false);
        await starts.stopJournal();
      });

      it('a write without a server reports the unreadable lines of the journal it takes in, too', async () => {
        const register = fakeRegister();
        const { file, journalFile, lines } = await deadServerJournal(2);
        lines[1] = 'not json';
        fs.writeFileSync(journalFile, lines.join('\n'));
        const repairs: string[] = [];
        const cli = new DeviceTableStore(file, { register, onRepair: (m) => repairs.push(m) });
        await cli.upsert(newDeviceEntry('SEP00112233CCCC', { certificateOperation: 'Delete' }));
        assert.equal(repairs.length, 1, repairs.join('\n'));
        assert.match(repairs[0], /took 1 result\(s\).*skipped 1 line\(s\) of .* \(line 2\)/);
        assert.equal(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.journal.unreadable-')).length, 1);
        assert.equal(tableOnDisk(file).devices[1].certificateOperation, 'No Pending Operation');
        assert.equal(fs.existsSync(journalFile), false);
      });

      it('ignores a cut-off last line and never applies a journal to a table changed after it: that journal is kept aside, its LSCs registered', async () => {
        const store = await doomedStore();
        await Promise.all(names.slice(0, 3).map((n, i) => store.updateDevice(n, succeed, lscFor(n, i))));
        const file = await diesNow(store);
        const journalFile = journalPathFor(file);
        fs.appendFileSync(journalFile, '{"entry":{"name":"SEP00000000');
        assert.equal((await new DeviceTableStore(file).get(names[0]))?.certificateOperation, 'No Pending Operation', 'whole lines still apply');
        // someone edits the table while no server runs (after the crash)
        const edited = tableOnDisk(file);
        edited.devices[0].certificateOperation = 'Delete';
        fs.writeFileSync(file, JSON.stringify(edited));
        const reader = new DeviceTableStore(file);
        assert.equal((await reader.get(names[0]))?.certificateOperation, 'Delete', 'the edit wins: the journal names another table');
        assert.equal((await reader.get(names[1]))?.certificateOperation, 'Install/Upgrade');
        const repairs: string[] = [];
        const register = fakeRegister();
        await register.append(lscFor(names[0], 0)); // one of them made it before the crash
        const next = new DeviceTableStore(file, { onRepair: (m) => repairs.push(m), register });
        await next.startJournal();
        assert.match(repairs[0] ?? '', /was not applied .*changed after its 3 result\(s\).*kept as .*unapplied-.*; the 3 LSC\(s\) it recorded are in the register/);
        assert.deepEqual(register.durable.map((l) => l.serialNumber).sort(), ['01', '02', '03'], 'issued LSCs are on record even when their statuses do not apply, each once');
        const aside = fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.journal.unapplied-'));
        assert.equal(aside.length, 1, 'nothing is lost: the journal is kept under a new name');
        assert.equal(fs.existsSync(journalFile), false);
        await next.stopJournal();
      });

      it('while the server runs, a write by another process (the CLI) includes its results but leaves the journal and its LSCs to it: each LSC registered once', async () => {
        const register = fakeRegister();
        const store = await journaledStore(undefined, register, 10 * 60_000); // no timed checkpoint between the steps
        await store.updateDevice(names[0], succeed, lscFor(names[0], 0));
        assert.ok(liveOwner(store.file), 'the server has claimed the table');
        const cliRegister = fakeRegister();
        const cliRepairs: string[] = [];
        const cli = new DeviceTableStore(store.file, { register: cliRegister, onRepair: (m) => cliRepairs.push(m) });
        await cli.upsert(newDeviceEntry('SEP00112233CCCC', { certificateOperation: 'Delete' }));
        assert.equal(cliRegister.appends(), 0, 'the server registers its own LSCs');
        assert.deepEqual(cliRepairs, [], 'nothing was taken in');
        assert.ok(fs.existsSync(store.journalFile), 'the live journal stays where the server writes it');
        let table = tableOnDisk(store.file);
        assert.equal(table.devices[0].certificateOperation, 'No Pending Operation', 'the result is in the file the CLI wrote');
        assert.ok(table.devices.some((d) => d.name === 'SEP00112233CCCC'));
        // the server's next batch sees the new file and writes everything in (no append to a journal that names the old file)
        const writes = store.writes;
        await store.updateDevice(names[1], succeed, lscFor(names[1], 1));
        assert.equal(store.writes, writes + 1, 'a whole-table write');
        assert.equal(fs.existsSync(store.journalFile), false);
        table = tableOnDisk(store.file);
        assert.equal(table.devices[1].certificateOperation, 'No Pending Operation');
        assert.ok(table.devices.some((d) => d.name === 'SEP00112233CCCC'), 'the CLI\'s device is kept');
        assert.deepEqual(register.durable.map((l) => l.serialNumber).sort(), ['01', '02'], 'each LSC once');
        await store.stopJournal();
        assert.equal(liveOwner(store.file), undefined, 'released at stop');
      });

      it('keeps an entry edited after the server\'s result: silently when the writer saw the result, with a note when the result was lost', async () => {
        const repairs: string[] = [];
        const store = await journaledStore((m) => repairs.push(m), fakeRegister(), 10 * 60_000);
        await Promise.all([store.updateDevice(names[0], succeed), store.updateDevice(names[1], succeed)]);
        // the CLI schedules the next operation for names[0], on top of the result it sees laid over
        await new DeviceTableStore(store.file).updateDevice(names[0], (e) => (e.certificateOperation = 'Delete'));
        // an editor that shows the file without the results changes names[1]
        const edited = JSON.parse(fs.readFileSync(store.file, 'utf8'));
        edited.devices[1].certificateOperationStatus = 'Operation Pending';
        edited.devices[1].certificateOperation = 'Install/Upgrade';
        edited.devices[1].authenticationMode = 'By Authentication String';
        edited.devices[1].authenticationString = '1234';
        fs.writeFileSync(store.file, JSON.stringify(edited));
        assert.equal((await store.get(names[0]))?.certificateOperation, 'Delete', 'the CLI\'s operation stands');
        assert.equal((await store.get(names[0]))?.certificateOperationStatus, successStatus('Upgrade'));
        assert.equal((await store.get(names[1]))?.authenticationString, '1234', 'the editor\'s entry stands');
        assert.equal(repairs.length, 1, repairs.join('\n'));
        assert.match(repairs[0], new RegExp(`^${names[1]} changed in .* after this server recorded a result for it: the file's entry is kept`));
        await store.stopJournal();
        const table = tableOnDisk(store.file);
        assert.equal(table.devices[0].certificateOperation, 'Delete');
        assert.equal(table.devices[1].authenticationString, '1234');
      });

      it('an edit of the table while the server runs keeps the server\'s results and the edit', async () => {
        const store = await journaledStore();
        await store.updateDevice(names[0], succeed);
        const edited = tableOnDisk(store.file); // as an editor shows it: without the journaled result
        edited.devices[1].authenticationMode = 'By Authentication String';
        edited.devices[1].authenticationString = '123456';
        fs.writeFileSync(store.file, JSON.stringify(edited));
        assert.equal((await store.get(names[0]))?.certificateOperation, 'No Pending Operation');
        assert.equal((await store.get(names[1]))?.authenticationString, '123456');
        await store.stopJournal();
        const table = tableOnDisk(store.file);
        assert.equal(table.devices[0].certificateOperation, 'No Pending Operation');
        assert.equal(table.devices[1].authenticationString, '123456');
        assert.equal(fs.existsSync(store.journalFile), false);
      });
    });

    it('sees edits made by others, and never overwrites a broken file', async () => {
      const store = new DeviceTableStore(path.join(tempDir(), 'capf-devices.json'));
      await store.upsert(newDeviceEntry('SEP001122334455'));
      fs.writeFileSync(store.file, JSON.stringify({ devices: [newDeviceEntry('SEP00112233AAAA')] }));
      assert.equal(await store.get('SEP001122334455'), undefined);
      assert.ok(await store.get('SEP00112233AAAA'));
      fs.writeFileSync(store.file, '{"devices": [');
      await assert.rejects(store.get('SEP00112233AAAA'), /is invalid/);
      await assert.rejects(within(store.upsert(newDeviceEntry('SEP001122334455')), 5000, 'the refusal'), /so it was not changed/);
      assert.equal(fs.readFileSync(store.file, 'utf8'), '{"devices": [');
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

    it('a new operation is Pending and drops an old deadline', async () => {
      const store = new DeviceTableStore(path.join(tempDir(), 'capf-devices.json'));
      await scheduleOperation(store, { device: 'SEP001122334455', operation: 'Install/Upgrade', deadline: '2020-01-01T00:00:00.000Z', auth: { mode: 'By Authentication String', authenticationString: '1234' } });
      const e = await scheduleOperation(store, { device: 'SEP001122334455', operation: 'Delete' });
      assert.equal(e.certificateOperationStatus, 'Operation Pending');
      assert.equal(e.operationCompletesBy, undefined);
      assert.equal(e.authenticationString, '1234', 'the mode and string stay when not given');
      assert.ok(parseDeviceTable(fs.readFileSync(store.file, 'utf8')).ok);
    });
  });
});
