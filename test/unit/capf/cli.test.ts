import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { main } from '../../../server/src/cli/main';
import { CliIo, parseArgs } from '../../../server/src/cli/io';
import { serveCapf } from '../../../server/src/cli/commands/capfServer';
import { LabState } from '../../../server/src/lab/capf/service/labState';
import { buildLabItl } from '../../../server/src/lab/environment/labItl';
import { removeTempDirs, tempDir, testKeySource, within } from './helpers';

function capture(cwd: string): CliIo & { stdout: () => string; stderr: () => string; waitFor: (re: RegExp) => Promise<string> } {
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  return {
    cwd,
    out: (t) => {
      out += t;
      waiters.splice(0).forEach((w) => w());
    },
    err: (t) => (err += t),
    stdout: () => out,
    stderr: () => err,
    waitFor(re) {
      return within(
        new Promise<string>((resolve) => {
          const check = () => {
            const m = re.exec(out);
            if (m) resolve(m[0]);
            else waiters.push(check);
          };
          check();
        }),
        20_000,
        `output matching ${re}`,
      );
    },
  };
}

describe('capf: CLI commands', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('capf device schedules an operation and explains bad input', async () => {
    const dir = tempDir();
    const io = capture(dir);
    assert.equal(await main(['capf', 'device', '--state', 'lab', '--device', 'sep001122334455', '--operation', 'install', '--auth', 'string:123456', '--key', 'ec:P-384', '--deadline', '2030-01-31T17:00:00Z'], io), 0);
    assert.match(io.stdout(), /SEP001122334455 in .*capf-devices\.json:/);
    assert.match(io.stdout(), /Authentication Mode: +By Authentication String \(123456\)/);
    assert.match(io.stdout(), /Key: +EC Only: EC 384/);
    assert.match(io.stdout(), /Certificate Operation Status: Operation Pending/);
    const table = JSON.parse(fs.readFileSync(path.join(dir, 'lab', 'capf-devices.json'), 'utf8'));
    assert.equal(table.devices[0].certificateOperation, 'Install/Upgrade');
    assert.equal(table.devices[0].certificateOperationStatus, undefined, 'the status is not the table\'s');

    const bad = capture(dir);
    assert.equal(await main(['capf', 'device', '--state', 'lab', '--device', 'SEP12', '--operation', 'install'], bad), 2);
    assert.match(bad.stderr(), /--device: "SEP12" is not a phone device name: expected SEP followed by exactly 12 hex digits/);
    const badKey = capture(dir);
    assert.equal(await main(['capf', 'device', '--state', 'lab', '--device', 'SEP001122334455', '--operation', 'install', '--key', 'rsa:1000'], badKey), 2);
    assert.match(badKey.stderr(), /--key: key "rsa:1000" is not rsa:SIZE/);
  });

  it('capf device keeps a deadline that has passed or is close (the lab reproduces Late/Timedout), with a warning; check reports it', async () => {
    const dir = tempDir();
    const now = '2030-06-15T12:00:00.000Z';
    const schedule = async (deadline: string) => {
      const io = capture(dir);
      assert.equal(await main(['capf', 'device', '--state', 'lab', '--device', 'SEP001122334455', '--operation', 'install', '--deadline', deadline, '--now', now], io), 0);
      return io;
    };
    const passed = await schedule('2030-06-15T11:00:00Z');
    assert.match(passed.stdout(), /Operation Completes By: +2030-06-15T11:00:00\.000Z/);
    assert.match(passed.stderr(), /^itl-lens capf device: warning \[operation-deadline-passed\]: SEP001122334455: Operation Completes By \(2030-06-15T11:00:00\.000Z\) has passed\..*"Upgrade Failed: User Initiated Request Late\/Timedout"/);

    const check = capture(dir);
    assert.equal(await main(['check', '--json', '--now', now, path.join('lab', 'capf-devices.json')], check), 1);
    const [finding, ...more] = JSON.parse(check.stdout()) as Array<{ file: string; code: string; severity: string; range: { start: { line: number; character: number } } }>;
    assert.equal(more.length, 0);
    assert.deepEqual([finding.file, finding.code, finding.severity], [path.join('lab', 'capf-devices.json'), 'operation-deadline-passed', 'error']);
    const line = fs.readFileSync(path.join(dir, 'lab', 'capf-devices.json'), 'utf8').split('\n')[finding.range.start.line];
    assert.equal(line.slice(finding.range.start.character), '"2030-06-15T11:00:00.000Z",');

    assert.match((await schedule('2030-06-15T12:30:00Z')).stderr(), /warning \[operation-deadline-soon\]: .*less than an hour ahead/);
    assert.equal((await schedule('2030-06-15T14:00:00Z')).stderr(), '');
    const clean = capture(dir);
    assert.equal(await main(['check', '--now', now, path.join('lab', 'capf-devices.json')], clean), 0);
    assert.match(clean.stdout(), /^1 file\(s\) checked: 0 error\(s\), 0 warning\(s\), 0 note\(s\)$/m);

    // what the server would refuse: each problem on the value its path names
    const file = path.join(dir, 'lab', 'capf-devices.json');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('"By Null String"', '"By Magic"'));
    const broken = capture(dir);
    assert.equal(await main(['check', '--json', '--now', now, path.join('lab', 'capf-devices.json')], broken), 1);
    const [problem] = JSON.parse(broken.stdout()) as Array<{ code: string; message: string; range: { start: { line: number; character: number } } }>;
    assert.equal(problem.code, 'device-table-invalid');
    assert.match(problem.message, /^devices\[0\]\.authenticationMode: .*The CAPF server refuses this table/);
    assert.equal(fs.readFileSync(file, 'utf8').split('\n')[problem.range.start.line].slice(problem.range.start.character), '"By Magic",');
    fs.writeFileSync(file, '{ "devices": [ ');
    const notJson = capture(dir);
    assert.equal(await main(['check', '--now', now, path.join('lab', 'capf-devices.json')], notJson), 1);
    assert.match(notJson.stdout(), /capf-devices\.json:1:1: error device-table-invalid: \$: not valid JSON/);
  });

  it('capf-server serves until stopped; phone installs against it and reports the server status', async () => {
    const dir = tempDir();
    const state = await LabState.open(path.join(dir, 'lab'), { keySource: testKeySource() });
    fs.writeFileSync(path.join(dir, 'ITLFile.tlv'), await buildLabItl(state, { write: false }));
    const serverIo = capture(dir);
    const stop = new AbortController();
    const serving = serveCapf(parseArgs(['--state', 'lab', '--port', '0'], { values: ['--state', '--port'] }), serverIo, stop.signal);
    const address = (await serverIo.waitFor(/listening on 127\.0\.0\.1:\d+/)).replace('listening on ', '');
    try {
      assert.equal(await main(['capf', 'device', '--state', 'lab', '--device', 'SEP00AA00BB00CC', '--operation', 'install', '--key', 'ec:P-256'], capture(dir)), 0);
      const phoneIo = capture(dir);
      const code = await main(['phone', '--itl', 'ITLFile.tlv', '--server', address, '--device', 'SEP00AA00BB00CC', '--state', 'lab'], phoneIo);
      assert.equal(code, 0, phoneIo.stderr());
      assert.match(phoneIo.stdout(), /LSC: Pending[\s\S]*LSC: Key generation…[\s\S]*LSC: Installed/);
      assert.match(phoneIo.stdout(), /Certificate Operation Status: Upgrade Success/);
      assert.ok(fs.existsSync(path.join(dir, 'lab', 'phones', 'SEP00AA00BB00CC', 'lsc.pem')));
      await serverIo.waitFor(/issued +#\d+ SEP00AA00BB00CC: LSC installed/);
      const tableBefore = fs.readFileSync(path.join(dir, 'lab', 'capf-devices.json'));

      // capf status shows what the server recorded, in CUCM's words; the table is as the CLI wrote it
      const status = capture(dir);
      assert.equal(await main(['capf', 'status', '--state', 'lab', '--json'], status), 0, status.stderr());
      const rows = JSON.parse(status.stdout()) as Array<{ device: string; status: string; operation: string; completed: boolean; lscSerialNumber?: string }>;
      const phoneLsc = new X509Certificate(fs.readFileSync(path.join(dir, 'lab', 'phones', 'SEP00AA00BB00CC', 'lsc.pem')));
      assert.deepEqual(rows.map((r) => [r.device, r.status, r.operation, r.completed]), [['SEP00AA00BB00CC', 'Upgrade Success', 'Install/Upgrade', true]]);
      assert.equal(rows[0].lscSerialNumber?.replace(/:/g, '').replace(/^0+/, ''), phoneLsc.serialNumber.replace(/^0+/, ''));
      const text = capture(dir);
      assert.equal(await main(['capf', 'status', '--state', 'lab'], text), 0);
      assert.match(text.stdout(), /^SEP00AA00BB00CC {2}Upgrade Success {2}\[Install\/Upgrade, done\] {2}LSC serial [0-9A-F:]+, valid to /);

      // done once: the phone's next session finds no operation
      const second = capture(dir);
      assert.equal(await main(['phone', '--itl', 'ITLFile.tlv', '--server', address, '--device', 'SEP00AA00BB00CC', '--state', 'lab'], second), 0, second.stderr());
      assert.doesNotMatch(second.stdout(), /Key generation/);
      assert.ok(tableBefore.equals(fs.readFileSync(path.join(dir, 'lab', 'capf-devices.json'))), 'the server never wrote the table');

      // a second server on the same lab folder is refused, naming the live one
      const other = capture(dir);
      const refused = await serveCapf(parseArgs(['--state', 'lab', '--port', '0'], { values: ['--state', '--port'] }), other, new AbortController().signal);
      assert.notEqual(refused, 0);
      assert.match(other.stderr(), new RegExp(`another CAPF server \\(process ${process.pid}, listening on ${address.replace(/\./g, '\\.')} since .*\\) serves the lab folder`));

      const unknown = capture(dir);
      assert.equal(await main(['phone', '--itl', 'ITLFile.tlv', '--server', address, '--device', 'SEP00AA00BB00DD'], unknown), 1);
      assert.match(unknown.stderr(), /^LSC: Failed — the CAPF server does not know SEP00AA00BB00DD \(reason 9\)/);
    } finally {
      stop.abort();
      assert.equal(await within(serving, 10_000, 'the server to stop'), 0);
    }
    assert.match(serverIo.stdout(), /CAPF server stopped\./);
  });

  it('phone: no CAPF record, and nobody listening, fail with the phone status on stderr', async () => {
    const dir = tempDir();
    const state = await LabState.open(path.join(dir, 'lab'), { keySource: testKeySource() });
    fs.writeFileSync(path.join(dir, 'no-capf.tlv'), await buildLabItl(state, { withCapfRecord: false, write: false }));
    fs.writeFileSync(path.join(dir, 'ITLFile.tlv'), await buildLabItl(state, { write: false }));
    const noCapf = capture(dir);
    assert.equal(await main(['phone', '--itl', 'no-capf.tlv', '--server', '127.0.0.1:9', '--device', 'SEP001122334455'], noCapf), 1);
    assert.match(noCapf.stderr(), /^No valid CAPF server — the ITL holds no CAPF record/);
    const down = capture(dir);
    assert.equal(await main(['phone', '--itl', 'ITLFile.tlv', '--server', '127.0.0.1:9', '--device', 'SEP001122334455', '--retries', '2', '--retry-delay', '0'], down), 1);
    assert.match(down.stderr(), /^LSC: Connection Failed — cannot connect to 127\.0\.0\.1:9/);
    assert.equal((down.stdout().match(/attempt \d:/g) ?? []).length, 3);
    const usage = capture(dir);
    assert.equal(await main(['phone', '--itl', 'ITLFile.tlv', '--server', 'localhost', '--device', 'SEP001122334455'], usage), 2);
    assert.match(usage.stderr(), /--server: 'localhost' is not HOST:PORT/);
  });

  it('lab: one shot, RSA 2048 by null string, report, nothing left running', async () => {
    const dir = tempDir();
    const io = capture(dir);
    assert.equal(await main(['lab'], io), 0, io.stderr());
    const out = io.stdout();
    assert.match(out, /Using the lab folder .*\.itl-lens-lab \(the default/);
    assert.match(out, /LSC: Pending[\s\S]*LSC: Installed/);
    assert.match(out, /Result: LSC installed — phone shows "LSC: Installed", Certificate Operation Status "Upgrade Success"/);
    assert.match(out, /Issued LSC:\n  Subject:  CN=SEP001122334455,OU=ITL Lens Lab/);
    assert.match(out, /Key: +RSA 2048/);
    assert.ok(fs.existsSync(path.join(dir, '.itl-lens-lab', 'tftp', 'ITLFile.tlv')));
    // the server is stopped: its port no longer answers
    const port = Number(/CAPF server: 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    const again = capture(dir);
    assert.equal(await main(['phone', '--itl', '.itl-lens-lab/tftp/ITLFile.tlv', '--server', `127.0.0.1:${port}`, '--device', 'SEP001122334455', '--retries', '0'], again), 1);
    assert.match(again.stderr(), /LSC: Connection Failed/);
  });
});
