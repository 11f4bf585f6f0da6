/** Named LSC troubleshooting scenarios: each sets up the lab, runs a phone and states the outcome it expects. */
import { LabEnvironment } from '../environment/labEnvironment';
import { PhoneKeyProvider } from '../phone/keyGeneration';
import { PhoneResult, TimelineEntry } from '../phone/phoneEmulator';
import { PhoneOutcome } from '../phone/statusMessages';

export interface ScenarioExpectation {
  outcome: PhoneOutcome;
  /** the phone's last status message */
  phoneStatus: string;
  /** the server's Certificate Operation Status afterwards; undefined = the device is not in the table */
  serverStatus: string | undefined;
}

export interface ScenarioCheck {
  name: string;
  passed: boolean;
  detail?: string;
}

export interface ScenarioContext {
  /** the shared lab (server running) */
  lab: LabEnvironment;
  /** a separate lab folder, for scenarios that change the CAPF certificate; closed by the runner */
  isolatedLab(): Promise<LabEnvironment>;
  /** a device name unique to this scenario */
  device: string;
  keys?: PhoneKeyProvider;
  signal?: AbortSignal;
  /** "Operation Completes By" one hour from now, as the guide advises */
  deadline(hoursFromNow?: number): string;
}

export interface ScenarioRun {
  phone: PhoneResult;
  checks?: ScenarioCheck[];
}

export interface ScenarioDefinition {
  id: string;
  title: string;
  /** what a real phone and cluster do in this situation, and what an administrator does about it */
  explanation: string;
  expected: ScenarioExpectation;
  run(ctx: ScenarioContext): Promise<ScenarioRun>;
}

export interface ScenarioResult {
  id: string;
  title: string;
  explanation: string;
  device: string;
  passed: boolean;
  expected: ScenarioExpectation;
  actual?: ScenarioExpectation;
  checks: ScenarioCheck[];
  timeline: TimelineEntry[];
  problem?: string;
  /** set when the scenario itself could not run (setup failure, cancellation) */
  error?: string;
  durationMs: number;
}

export interface ScenarioReport {
  startedAt: string;
  durationMs: number;
  passed: number;
  failed: number;
  cancelled: boolean;
  stateDir: string;
  results: ScenarioResult[];
}

export interface ScenarioProgress {
  index: number;
  total: number;
  id: string;
  title: string;
  phase: 'start' | 'done';
  result?: ScenarioResult;
}
