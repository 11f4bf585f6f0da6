/**
 * Runs the LSC troubleshooting scenarios against a throw-away lab (a temporary folder unless told
 * otherwise) with a real CAPF server on a loopback port. Reports progress, honours an AbortSignal between
 * and inside scenarios, and always stops every server it started.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Clock, systemClock } from '../../core/time/clock';
import { KeySource } from '../model/keys';
import { LabEnvironment } from '../environment/labEnvironment';
import { PhoneKeyProvider } from '../phone/keyGeneration';
import { SCENARIOS } from './catalog';
import { ScenarioCheck, ScenarioExpectation, ScenarioProgress, ScenarioReport, ScenarioResult } from './types';

export interface RunScenariosOptions {
  /** folder to build the labs in; default a new temporary folder, removed afterwards */
  baseDir?: string;
  /** keep the temporary folder (for inspection) */
  keepState?: boolean;
  /** scenario ids to run; default all */
  only?: string[];
  clock?: Clock;
  keySource?: KeySource;
  /** pre-generated phone keys; default fresh keys per phone */
  phoneKeys?: PhoneKeyProvider;
  signal?: AbortSignal;
  onProgress?: (p: ScenarioProgress) => void;
}

export function scenarioList(): Array<{ id: string; title: string }> {
  return SCENARIOS.map((s) => ({ id: s.id, title: s.title }));
}

export async function runScenarios(o: RunScenariosOptions = {}): Promise<ScenarioReport> {
  const unknown = (o.only ?? []).filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  const selected = o.only ? SCENARIOS.filter((s) => o.only?.includes(s.id)) : SCENARIOS;
  const clock = o.clock ?? systemClock;
  const started = Date.now();
  const base = o.baseDir ? path.resolve(o.baseDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-scenarios-'));
  const ownsBase = !o.baseDir;
  const results: ScenarioResult[] = [];
  let cancelled = false;
  const main = await LabEnvironment.open({ stateDir: path.join(base, 'lab'), clock, keySource: o.keySource });
  try {
    await main.startServer();
    await main.itl();
    for (const [index, s] of selected.entries()) {
      if (o.signal?.aborted) {
        cancelled = true;
        break;
      }
      o.onProgress?.({ index, total: selected.length, id: s.id, title: s.title, phase: 'start' });
      const isolated: LabEnvironment[] = [];
      const t0 = Date.now();
      let result: ScenarioResult;
      try {
        const run = await s.run({
          lab: main,
          device: s.device,
          keys: o.phoneKeys,
          signal: o.signal,
          deadline: (hours = 1) => new Date(clock().getTime() + hours * 3_600_000).toISOString(),
          isolatedLab: async () => {
            const dir = path.join(base, `${s.id}-${isolated.length + 1}`);
            // the cluster keys are the slow part of a new lab and carry no scenario state: share them
            fs.cpSync(main.state.paths.clusterKeysDir, path.join(dir, 'cluster', 'keys'), { recursive: true });
            const lab = await LabEnvironment.open({ stateDir: dir, clock, keySource: o.keySource });
            isolated.push(lab);
            return lab;
          },
        });
        const actual: ScenarioExpectation = { outcome: run.phone.outcome, phoneStatus: run.phone.status, serverStatus: run.phone.serverStatus };
        const checks: ScenarioCheck[] = [
          { name: `phone outcome is ${s.expected.outcome}`, passed: actual.outcome === s.expected.outcome, detail: actual.outcome },
          { name: `phone shows "${s.expected.phoneStatus}"`, passed: actual.phoneStatus === s.expected.phoneStatus, detail: actual.phoneStatus },
          {
            name: s.expected.serverStatus === undefined ? 'the device stays out of the device table' : `Certificate Operation Status is "${s.expected.serverStatus}"`,
            passed: actual.serverStatus === s.expected.serverStatus,
            detail: actual.serverStatus ?? '(not in the device table)',
          },
          ...(run.checks ?? []),
        ];
        result = { ...base0(s, t0), passed: checks.every((c) => c.passed), actual, checks, timeline: run.phone.timeline, problem: run.phone.problem };
      } catch (e) {
        const aborted = (e as Error).name === 'AbortError';
        cancelled ||= aborted;
        result = { ...base0(s, t0), passed: false, checks: [], timeline: [], error: aborted ? 'cancelled' : `the scenario could not run: ${(e as Error).message}` };
      } finally {
        for (const lab of isolated) await lab.close().catch(() => undefined);
      }
      results.push(result);
      o.onProgress?.({ index, total: selected.length, id: s.id, title: s.title, phase: 'done', result });
      if (cancelled) break;
    }
  } finally {
    await main.close().catch(() => undefined);
    if (ownsBase && !o.keepState) fs.rmSync(base, { recursive: true, force: true });
  }
  const passed = results.filter((r) => r.passed).length;
  return {
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    passed,
    failed: results.length - passed,
    cancelled,
    stateDir: base,
    results,
  };

  function base0(s: (typeof SCENARIOS)[number], t0: number) {
    return { id: s.id, title: s.title, explanation: s.explanation, device: s.device, expected: s.expected, durationMs: Date.now() - t0 };
  }
}
