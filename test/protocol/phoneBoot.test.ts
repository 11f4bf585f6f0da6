/**
 * "Run Phone Boot Test" through the language server: the one-shot lab of `itl-lens lab` (CAPF, TFTP, TVS),
 * its $/progress (one message per phone step), its report linking each served file, the lab's TFTP folder
 * indexed like any workspace folder, and cancellation, which ends the run and stops its servers.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressEnd, WorkDoneProgressReport } from 'vscode-languageserver-protocol';
import { LabPhoneBootTestResult, WorkspaceStatus, WorkspaceStatusNotification } from '../../server/src/shared/lspExtensions';
import { TEST_NOW } from '../helpers/fixtures';
import { fileUri, LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

type ProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

/** Records the $/progress values for a work-done token (vscode-jsonrpc hands those only to progress handlers). */
function recordProgress(client: LspTestClient, token: string): { values: ProgressValue[]; next: () => Promise<ProgressValue> } {
  const values: ProgressValue[] = [];
  let wake: (() => void) | undefined;
  client.connection.onProgress(WorkDoneProgress.type, token, (v) => {
    values.push(v);
    wake?.();
  });
  let read = 0;
  const next = () =>
    new Promise<ProgressValue>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no $/progress for ${token} within 30 s`)), 30_000);
      const check = () => {
        if (read < values.length) {
          clearTimeout(timer);
          wake = undefined;
          resolve(values[read++]);
        }
      };
      wake = check;
      check();
    });
  return { values, next };
}

/** Sockets the process holds that listen (TCP) or are bound (UDP): from /proc, Linux only. */
function boundSockets(pid: number): number {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  let n = 0;
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text = '';
    try {
      text = fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const listening = table.startsWith('udp') || cols[3] === '0A';
      if (listening && inodes.has(cols[9])) n++;
    }
  }
  return n;
}

describe('protocol: the phone boot test in the server process', function () {
  this.timeout(180_000);
  let ws: TestWorkspace;
  let client: LspTestClient;
  const stateDir = () => ws.path('.itl-lens-lab');

  before(async () => {
    ws = new TestWorkspace(['cluster/ITLFile.tlv']);
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString(), workspaceTrusted: true } });
    await client.indexed();
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('boots the phone from the lab TFTP server, installs its LSC, reports each step and links each served file', async () => {
    const progress = recordProgress(client, 'boot-1').values;
    const r = await client.request<LabPhoneBootTestResult>('itlLens/lab/phoneBootTest', { workDoneToken: 'boot-1' });
    assert.equal(r.success, true, r.report);
    assert.equal(r.tftpRoot, path.join(stateDir(), 'tftp'), 'the default lab folder, inside the workspace');
    const messages = r.timeline.map((t) => t.message);
    assert.ok(messages.some((m) => /^TFTP ITLFile\.tlv: \d+ bytes$/.test(m)), messages.join(' | '));
    assert.ok(messages.includes('ITL installed'), 'first boot: the ITL is trusted on first use');
    assert.equal(messages.at(-1), 'LSC: Installed');
    assert.match(r.operationStatus ?? '', /Upgrade Success/);
    assert.ok(r.lscPath && fs.existsSync(r.lscPath));

    // $/progress: begin, the start, then one report per phone step, in order, then end
    assert.equal(progress[0].kind, 'begin');
    assert.equal(progress.at(-1)!.kind, 'end');
    const reports = progress.map((p) => (p.kind === 'report' ? p.message : undefined)).filter((m) => m !== undefined);
    assert.deepEqual(reports, ['Starting the lab CAPF, TFTP and TVS servers…', ...messages]);

    // each file: found ones carry the served file's URI, and the report links it
    const itl = r.files.find((f) => f.name === 'ITLFile.tlv');
    assert.ok(itl?.found && itl.uri, JSON.stringify(r.files));
    assert.equal(itl.uri, fileUri(path.join(r.tftpRoot, 'ITLFile.tlv')));
    assert.equal(itl.verdict, 'accepted');
    const config = r.files.find((f) => f.kind === 'config');
    assert.ok(config?.found && config.uri && fs.existsSync(new URL(config.uri)), 'the signed configuration is served');
    for (const f of r.files) {
      if (f.uri) assert.ok(r.report.includes(`](${f.uri})`), `the report links ${f.name}`);
      else assert.equal(f.found, false);
    }
    assert.ok(r.files.some((f) => !f.found && !f.uri), 'a file the cluster has not: File Not Found, no link');
    assert.match(r.report, /^# Phone boot test: SEP001122334455/);
    assert.match(r.report, /\*\*LSC: Installed\*\*/);
    // a link's target opens as its decoded view
    const view = await client.request<{ text: string }>('itlLens/decodedView', { sourceUri: itl.uri });
    assert.match(view.text, /ITL Record #:1/);
  });

  it("indexes the lab folder's TFTP files, as the workspace watcher reports the new lab folder", async () => {
    const served = fs.readdirSync(path.join(stateDir(), 'tftp')).filter((n) => n.endsWith('.tlv'));
    assert.ok(served.includes('ITLFile.tlv'), served.join(', '));
    const since = client.notifications.length;
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(stateDir()), type: 1 }] });
    // the workspace's own ITL plus the served trust lists; the lab's keys and trust stores are not read
    const status = await client.waitFor<WorkspaceStatus>(WorkspaceStatusNotification.method, (s) => s.trustLists === 1 + served.length, since);
    assert.equal(status.trustLists, 1 + served.length);
    // a new session walks it too
    const second = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
    try {
      assert.equal((await second.indexed()).trustLists, 1 + served.length);
    } finally {
      await second.stop();
    }
  });

  it('boots again against the trust store the first boot kept', async () => {
    const r = await client.request<LabPhoneBootTestResult>('itlLens/lab/phoneBootTest', {});
    assert.equal(r.success, true, r.report);
    // The lab signs the ITL again each run, stamped to the second: within the same second the bytes are the same
    // ('unchanged'), later they differ and the phone accepts them through the ITL it installed. Either way it
    // judges the file against its trust store, never on first use again.
    const itl = r.files.find((f) => f.name === 'ITLFile.tlv');
    assert.ok(itl?.verdict === 'accepted' || itl?.verdict === 'unchanged', JSON.stringify(r.files));
    if (itl?.verdict === 'accepted') assert.match(itl?.reason ?? '', /of the held ITL/);
    assert.ok(!r.timeline.some((t) => t.message === 'ITL installed'), 'not trusted on first use again');
  });

  it('cancel ends the run, stops its servers and releases the lab folder', async () => {
    const dir = ws.path('cancelled-lab'); // a new lab folder: its keys are made first, so the cancel lands early
    const baseline = boundSockets(client.child.pid!);
    const progress = recordProgress(client, 'boot-cancel');
    const cts = new CancellationTokenSource();
    const pending = client.connection.sendRequest('itlLens/lab/phoneBootTest', { stateDir: dir, workDoneToken: 'boot-cancel' }, cts.token);
    assert.equal((await progress.next()).kind, 'begin');
    assert.equal((await progress.next()).kind, 'report');
    cts.cancel();
    await assert.rejects(pending, /Phone boot test: cancelled/);
    assert.equal(progress.values.at(-1)?.kind, 'end');
    assert.equal(boundSockets(client.child.pid!), baseline, 'no CAPF, TFTP or TVS socket left');
    assert.equal(fs.existsSync(path.join(dir, 'capf-server.json')), false, 'no server recorded as running');
    // the lab folder is free: the next run takes its lock and completes
    const r = await client.request<LabPhoneBootTestResult>('itlLens/lab/phoneBootTest', { stateDir: dir });
    assert.equal(r.success, true, r.report);
  });

  it("refuses while the lab's CAPF server runs on the same folder (both need its lock), saying what to do", async () => {
    await client.request('itlLens/lab/startServer', { stateDir: stateDir(), host: '127.0.0.1', port: 0 });
    try {
      await assert.rejects(client.request('itlLens/lab/phoneBootTest', {}), /Stop Local CAPF Server/);
    } finally {
      await client.request('itlLens/lab/stopServer', undefined);
    }
    assert.equal((await client.request<LabPhoneBootTestResult>('itlLens/lab/phoneBootTest', {})).success, true, 'runs once the server is stopped');
  });

  it('is refused in an untrusted workspace, saying how to trust it', async () => {
    const untrusted = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
    try {
      await assert.rejects(untrusted.request('itlLens/lab/phoneBootTest', {}), /needs a trusted workspace/);
    } finally {
      await untrusted.stop();
    }
  });
});
