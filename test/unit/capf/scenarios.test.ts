import * as assert from 'node:assert/strict';
import { renderScenarioReportMarkdown, renderScenarioReportText, runScenarios, scenarioList, ScenarioReport, ScenarioProgress } from '../../../server/src/lab/scenarios';
import { phoneKeys, testKeySource } from './helpers';

describe('capf: troubleshooting scenarios', function () {
  this.timeout(120_000);
  let report: ScenarioReport;
  const progress: ScenarioProgress[] = [];

  // the boot scenarios (boot-*) have their own test: test/unit/lab/bootScenarios.test.ts
  const capfOnly = scenarioList().filter((s) => !s.id.startsWith('boot-'));

  before(async () => {
    report = await runScenarios({ only: capfOnly.map((s) => s.id), keySource: testKeySource(), phoneKeys: phoneKeys(), onProgress: (p) => progress.push(p) });
  });

  it('runs every scenario and reports progress for each', () => {
    assert.equal(report.results.length, capfOnly.length);
    assert.equal(progress.filter((p) => p.phase === 'done').length, capfOnly.length);
    assert.equal(report.cancelled, false);
  });

  const expected: Record<string, [string, string, string | undefined]> = {
    'install-rsa-null-string': ['installed', 'LSC: Installed', 'Upgrade Success'],
    'install-ec-p256': ['installed', 'LSC: Installed', 'Upgrade Success'],
    'auth-string-right': ['installed', 'LSC: Installed', 'Upgrade Success'],
    'auth-string-wrong': ['failed', 'LSC: Failed', 'Upgrade Failed: Invalid Authentication String'],
    'existing-lsc': ['installed', 'LSC: Installed', 'Upgrade Success'],
    'existing-mic': ['installed', 'LSC: Installed', 'Upgrade Success'],
    'itl-without-capf': ['no-capf', 'No valid CAPF server', 'Operation Pending'],
    'capf-regenerated': ['connection-failed', 'LSC: Connection Failed', 'Operation Pending'],
    'capf-stopped': ['connection-failed', 'LSC: Connection Failed', 'Operation Pending'],
    'deadline-passed': ['failed', 'LSC: Failed', 'Upgrade Failed: User Initiated Request Late/Timedout'],
    'unknown-device': ['unknown-device', 'LSC: Failed', undefined],
    'no-pending-operation': ['no-operation', 'LSC: Not Installed', 'None'],
    'troubleshoot-fetch': ['fetched', 'LSC: Installed', 'Troubleshoot Success'],
    delete: ['deleted', 'LSC: Not Installed', 'Delete Success'],
  };

  for (const [id, [outcome, phoneStatus, serverStatus]] of Object.entries(expected)) {
    it(`${id}: ${phoneStatus} / ${serverStatus ?? 'not in the table'}`, () => {
      const r = report.results.find((x) => x.id === id);
      assert.ok(r, `scenario ${id} missing`);
      assert.equal(r.error, undefined);
      assert.deepEqual(r.actual, { outcome, phoneStatus, serverStatus });
      const failed = r.checks.filter((c) => !c.passed);
      assert.deepEqual(failed, [], `failed checks: ${JSON.stringify(failed)}`);
      assert.equal(r.passed, true);
    });
  }

  it('the guide example issues an LSC with exactly the reference profile', () => {
    const r = report.results.find((x) => x.id === 'install-rsa-null-string');
    assert.ok(r);
    const names = r.checks.map((c) => c.name);
    for (const n of ['issuer is the CAPF certificate subject', 'EKU serverAuth, clientAuth, IPsec End System', 'SAN URI:SEP0000000000A1', 'public key RSA 2048']) assert.ok(names.includes(n), n);
    assert.deepEqual(r.timeline.filter((t) => t.kind === 'status').map((t) => t.text), ['LSC: Pending', 'LSC: Key generation…', 'LSC: Installed']);
  });

  it('renders text and markdown reports naming every scenario', () => {
    const text = renderScenarioReportText(report);
    const markdown = renderScenarioReportMarkdown(report);
    assert.match(text, /14 passed, 0 failed/);
    for (const r of report.results) {
      assert.ok(text.includes(r.title), r.title);
      assert.ok(markdown.includes(`## ✔ ${r.title}`), r.title);
    }
  });

  it('stops at once when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const cancelled = await runScenarios({ keySource: testKeySource(), phoneKeys: phoneKeys(), signal: controller.signal });
    assert.equal(cancelled.cancelled, true);
    assert.equal(cancelled.results.length, 0);
  });

  it('cancels inside a scenario and still stops its servers', async () => {
    const controller = new AbortController();
    const cancelled = await runScenarios({
      keySource: testKeySource(),
      phoneKeys: phoneKeys(),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'start' && p.index === 1) controller.abort();
      },
    });
    assert.equal(cancelled.cancelled, true);
    assert.equal(cancelled.results.length, 2);
    assert.equal(cancelled.results[1].error, 'cancelled');
  });
});
