import * as assert from 'node:assert/strict';
import { DEADLINE_MARGIN_MS, deadlineProblem, deviceTableRules, isDeviceTablePath, nextDeadlineChange, readDeadlines } from '../../../server/src/rules/deviceTableRules';
import { positionAt } from '../../../server/src/rules/sourceLocation';
import { TEST_NOW } from '../../helpers/fixtures';

const MINUTE = 60_000;
const at = (ms: number) => new Date(TEST_NOW.getTime() + ms).toISOString();

/** A table as the lab writes it (two-space JSON), one device per deadline; `operation` defaults to an install. */
function table(devices: Array<{ name: string; deadline?: string; operation?: string }>): string {
  const entries = devices.map((d) => ({
    name: d.name,
    certificateOperation: d.operation ?? 'Install/Upgrade',
    authenticationMode: 'By Null String',
    ...(d.deadline ? { operationCompletesBy: d.deadline } : {}),
    certificateOperationStatus: 'Operation Pending',
  }));
  return `${JSON.stringify({ $schema: 'x', devices: entries }, null, 2)}\n`;
}

describe('device table rules (Operation Completes By)', () => {
  it('reports a deadline that has passed as an error on the value, with the failure the phone will show', () => {
    const text = table([{ name: 'SEP001122334455', deadline: at(-5 * MINUTE) }]);
    const [d, ...more] = deviceTableRules(text, TEST_NOW);
    assert.equal(more.length, 0);
    assert.equal(d.code, 'operation-deadline-passed');
    assert.equal(d.severity, 'error');
    assert.equal(d.device, 'SEP001122334455');
    assert.equal(text.slice(d.offset, d.offset + d.length), JSON.stringify(at(-5 * MINUTE)));
    assert.match(d.message, /has passed/);
    assert.match(d.message, /"Upgrade Failed: User Initiated Request Late\/Timedout"/);
    assert.match(d.message, /at least one hour in the future/);
  });

  it('warns when the deadline is less than an hour ahead, and names the minutes left', () => {
    const [d] = deviceTableRules(table([{ name: 'SEP001122334455', deadline: at(20 * MINUTE) }]), TEST_NOW);
    assert.equal(d.code, 'operation-deadline-soon');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /less than an hour ahead/);
  });

  it('is quiet an hour or more ahead, without a deadline, and when no operation is pending', () => {
    const text = table([
      { name: 'SEP000000000001', deadline: at(DEADLINE_MARGIN_MS) },
      { name: 'SEP000000000002' },
      { name: 'SEP000000000003', deadline: at(-MINUTE), operation: 'No Pending Operation' },
    ]);
    assert.deepEqual(deviceTableRules(text, TEST_NOW), []);
  });

  it('names the status of each operation kind (Delete, Troubleshoot)', () => {
    const found = deviceTableRules(
      table([
        { name: 'SEP000000000001', deadline: at(-MINUTE), operation: 'Delete' },
        { name: 'SEP000000000002', deadline: at(-MINUTE), operation: 'Troubleshoot' },
      ]),
      TEST_NOW,
    );
    assert.deepEqual(
      found.map((d) => /"(\w+ Failed: [^"]+)"/.exec(d.message)?.[1]),
      ['Delete Failed: User Initiated Request Late/Timedout', 'Troubleshoot Failed: User Initiated Request Late/Timedout'],
    );
  });

  it('checks the whole entries of a half-typed file and never throws on anything else', () => {
    const whole = table([{ name: 'SEP001122334455', deadline: at(-MINUTE) }]);
    const halfTyped = `${whole.slice(0, whole.lastIndexOf(']'))},\n    { "name": "SEP0011`;
    assert.deepEqual(deviceTableRules(halfTyped, TEST_NOW).map((d) => d.code), ['operation-deadline-passed']);
    for (const text of ['', '{', '{"devices": [{"name": "SEP001122334455", "certificateOperation": "constructor", "operationCompletesBy": "2000-01-01T00:00:00Z"}]}', '{"devices": [{"name": "SEP001122334455", "certificateOperation": "Install/Upgrade", "operationCompletesBy": "2000-01-01T00:00"}]}', 'null', '[]', '{"devices": 3}', '{"devices": [1, null, {"name": 5}]}', '{"devices": [{"name": "SEP001122334455", "certificateOperation": "Install/Upgrade", "operationCompletesBy": "tomorrow"}]}', '\u0000\uffff']) {
      assert.deepEqual(deviceTableRules(text, TEST_NOW), [], JSON.stringify(text));
    }
  });

  it('tells when the findings change next: the hour mark, then the deadline itself', () => {
    const text = table([{ name: 'SEP001122334455', deadline: at(90 * MINUTE) }]);
    const first = nextDeadlineChange(readDeadlines(text), TEST_NOW)!;
    assert.equal(first.getTime(), TEST_NOW.getTime() + 30 * MINUTE + 1);
    assert.deepEqual(deviceTableRules(text, new Date(first.getTime() - 1)), []);
    assert.deepEqual(deviceTableRules(text, first).map((d) => d.code), ['operation-deadline-soon']);
    const second = nextDeadlineChange(readDeadlines(text), first)!;
    assert.equal(second.getTime(), TEST_NOW.getTime() + 90 * MINUTE + 1);
    assert.deepEqual(deviceTableRules(text, second).map((d) => d.code), ['operation-deadline-passed']);
    assert.equal(nextDeadlineChange(readDeadlines(text), second), undefined);
  });

  it('calls a deadline passed exactly when the server does (clock > deadline), and "soon" from under an hour', () => {
    const e = { device: 'SEP001122334455', certificateOperation: 'Install/Upgrade', operationCompletesBy: TEST_NOW.toISOString() };
    assert.equal(deadlineProblem(e, TEST_NOW)?.code, 'operation-deadline-soon'); // the server still serves it at that instant
    assert.equal(deadlineProblem(e, new Date(TEST_NOW.getTime() + 1))?.code, 'operation-deadline-passed');
    assert.equal(deadlineProblem(e, new Date(TEST_NOW.getTime() - DEADLINE_MARGIN_MS)), undefined);
    assert.equal(deadlineProblem(e, new Date(TEST_NOW.getTime() - DEADLINE_MARGIN_MS + 1))?.code, 'operation-deadline-soon');
  });

  it('gives the same verdict for a single entry (the CLI) as for the table', () => {
    const e = { device: 'SEP001122334455', certificateOperation: 'Install/Upgrade', operationCompletesBy: at(-MINUTE) };
    assert.equal(deadlineProblem(e, TEST_NOW)?.code, 'operation-deadline-passed');
    assert.equal(deadlineProblem({ ...e, operationCompletesBy: at(2 * DEADLINE_MARGIN_MS) }, TEST_NOW), undefined);
    assert.equal(deadlineProblem({ ...e, certificateOperation: 'No Pending Operation' }, TEST_NOW), undefined);
  });

  it('recognises the table by its file name, and maps offsets to LSP positions', () => {
    assert.ok(isDeviceTablePath('/lab/.itl-lens-lab/capf-devices.json'));
    assert.ok(isDeviceTablePath('/lab/CAPF-Devices.JSON'));
    assert.ok(!isDeviceTablePath('/lab/capf-devices.json.bak'));
    assert.deepEqual(positionAt('ab\ncd\n', 4), { line: 1, character: 1 });
    assert.deepEqual(positionAt('ab\r\ncd', 5), { line: 1, character: 1 });
    assert.deepEqual(positionAt('ab', 99), { line: 0, character: 2 });
  });
});
