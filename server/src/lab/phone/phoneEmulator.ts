/**
 * The phone emulator: what a Cisco phone does for a CAPF certificate operation, and what it shows.
 *   1. Check the ITL: signature (else "Trust List update failed"), a CAPF record (else "No valid CAPF server").
 *   2. "LSC: Pending"; connect over TLS and accept the server only if its certificate matches the ITL CAPF
 *      record. Failures are retried (3 times, 30 s apart, by default); then "LSC: Connection Failed".
 *   3. Run the session (phoneSession.ts); end with "LSC: Installed", "LSC: Failed"…
 * The result carries the timeline of status messages and notes, and the server's Certificate Operation Status.
 */
import * as tls from 'node:tls';
import { Clock, systemClock } from '../../core/time/clock';
import { Reason } from '../capf/protocol/constants';
import { IssuedLscSummary } from '../model/issuedLsc';
import { CapfConnection, abortError } from './capfConnection';
import { PhoneKeyProvider, generatePhoneKey } from './keyGeneration';
import { PhoneIdentity, PhoneStore, memoryOnlyStore } from './phoneIdentity';
import { PhoneAuth, PhoneSessionResult, runPhoneSession } from './phoneSession';
import { PhoneOutcome, PhoneStatus, SUCCESS_OUTCOMES } from './statusMessages';
import { LoadedItl, loadItl, matchCapfCertificate } from './trustedCapf';

export interface TimelineEntry {
  /** ISO time from the phone's clock */
  at: string;
  /** "status" lines are what the phone's Status Messages would show; "detail" lines explain */
  kind: 'status' | 'detail';
  text: string;
}

export interface PhoneOptions {
  identity: PhoneIdentity;
  /** the ITL bytes (ITLFile.tlv or ITLSEP<MAC>.tlv), or an ITL already loaded with loadItl (a phone verifies its ITL when it downloads it, not per CAPF session) */
  itl: Buffer | LoadedItl;
  server: { host: string; port: number };
  auth: PhoneAuth;
  keys?: PhoneKeyProvider;
  store?: PhoneStore;
  /** connection retries after the first attempt; default 3 */
  retries?: number;
  /** default 30 000 ms, as real phones; tests use 0 */
  retryDelayMs?: number;
  connectTimeoutMs?: number;
  /** how long to wait for each server message; default 30 000 ms */
  responseTimeoutMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  /** false emulates a phone without EC key support */
  supportsEc?: boolean;
  minTlsVersion?: tls.SecureVersion;
  /** reads the server's Certificate Operation Status for this device after the session */
  serverStatus?: () => Promise<string | undefined>;
  trace?: (direction: 'phone→server' | 'server→phone', command: string, bytes: Buffer) => void;
  /** live timeline, e.g. for a progress view */
  onTimeline?: (e: TimelineEntry) => void;
}

export interface PhoneResult {
  device: string;
  outcome: PhoneOutcome;
  ok: boolean;
  /** the last status message */
  status: string;
  timeline: TimelineEntry[];
  /** connection attempts made */
  attempts: number;
  sessionId?: number;
  endReason?: number;
  /** the server's Certificate Operation Status after the session, when it could be read */
  serverStatus?: string;
  /** why it did not work, in a sentence */
  problem?: string;
  /** how the server certificate matched the ITL CAPF record */
  capfMatchedBy?: string;
  lsc?: { der: Buffer; summary: IssuedLscSummary };
}

export const DEFAULT_RETRIES = 3;
export const DEFAULT_RETRY_DELAY_MS = 30_000;

export async function runPhone(o: PhoneOptions): Promise<PhoneResult> {
  const clock = o.clock ?? systemClock;
  const timeline: TimelineEntry[] = [];
  const add = (kind: TimelineEntry['kind'], text: string) => {
    const e = { at: clock().toISOString(), kind, text };
    timeline.push(e);
    o.onTimeline?.(e);
  };
  const name = o.identity.name;
  const result = async (outcome: PhoneOutcome, status: string, extra: Partial<PhoneResult> = {}): Promise<PhoneResult> => {
    if (timeline[timeline.length - 1]?.text !== status) add('status', status);
    let serverStatus: string | undefined;
    try {
      serverStatus = await o.serverStatus?.();
    } catch {
      serverStatus = undefined;
    }
    return { device: name, outcome, ok: SUCCESS_OUTCOMES.has(outcome), status, timeline, attempts: 0, serverStatus, ...extra };
  };
  if (o.signal?.aborted) throw abortError();

  const itl = Buffer.isBuffer(o.itl) ? loadItl(o.itl) : o.itl;
  if (!itl.ok) {
    add('detail', itl.problem);
    return result(itl.status === PhoneStatus.NO_VALID_CAPF_SERVER ? 'no-capf' : 'itl-rejected', itl.status, { problem: itl.problem });
  }
  add('detail', `ITL verified (signed by ${itl.signer}); ${itl.capfRecords.length} CAPF record(s)`);
  add('status', PhoneStatus.PENDING);

  const retries = o.retries ?? DEFAULT_RETRIES;
  const delayMs = o.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  let lastProblem = '';
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) {
      add('detail', `retrying in ${Math.round(delayMs / 1000)} s (attempt ${attempt} of ${retries + 1})`);
      await delay(delayMs, o.signal);
    }
    let conn: CapfConnection;
    try {
      conn = await CapfConnection.connect({ host: o.server.host, port: o.server.port, timeoutMs: o.connectTimeoutMs ?? 10_000, signal: o.signal, minVersion: o.minTlsVersion, trace: o.trace });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      lastProblem = (e as Error).message;
      add('detail', `attempt ${attempt}: ${lastProblem}`);
      continue;
    }
    const presented = conn.peerCertificateDer;
    const match = presented ? matchCapfCertificate(itl.capfRecords, presented) : { matched: false as const, problem: 'the server presented no certificate' };
    if (!match.matched || !presented) {
      conn.destroy();
      lastProblem = match.matched ? 'the server presented no certificate' : match.problem;
      add('detail', `attempt ${attempt}: ${lastProblem}`);
      continue;
    }
    add('detail', `connected to ${o.server.host}:${o.server.port}; the CAPF certificate matches the ITL record (${match.by})`);
    let session: PhoneSessionResult;
    try {
      session = await runPhoneSession(conn, {
        identity: o.identity,
        auth: o.auth,
        capfDer: presented,
        keys: o.keys ?? generatePhoneKey,
        store: o.store ?? memoryOnlyStore,
        clock,
        responseTimeoutMs: o.responseTimeoutMs ?? 30_000,
        supportsEc: o.supportsEc ?? true,
        note: (t) => add('detail', t),
        status: () => add('status', PhoneStatus.KEY_GENERATION),
      });
    } catch (e) {
      conn.destroy();
      if ((e as Error).name === 'AbortError') throw e;
      const problem = `the session broke off: ${(e as Error).message}`;
      add('detail', problem);
      return result('failed', PhoneStatus.FAILED, { attempts: attempt, problem, capfMatchedBy: match.by });
    }
    conn.close();
    return interpret(session, o.identity, attempt, match.by, add, result);
  }
  add('detail', `no trusted CAPF session after ${retries + 1} attempt(s)`);
  return result('connection-failed', PhoneStatus.CONNECTION_FAILED, { attempts: retries + 1, problem: lastProblem });
}

function interpret(
  s: PhoneSessionResult,
  identity: PhoneIdentity,
  attempts: number,
  capfMatchedBy: string,
  add: (kind: TimelineEntry['kind'], text: string) => void,
  result: (outcome: PhoneOutcome, status: string, extra?: Partial<PhoneResult>) => Promise<PhoneResult>,
): Promise<PhoneResult> {
  const base = { attempts, capfMatchedBy, sessionId: s.sessionId, endReason: s.endReason };
  const lscState = identity.lsc ? PhoneStatus.INSTALLED : PhoneStatus.NOT_INSTALLED;
  add('detail', `the server ended session ${s.sessionId} with reason ${s.endReason}`);
  if (s.endReason === Reason.UNKNOWN_DEVICE) return result('unknown-device', PhoneStatus.FAILED, { ...base, problem: `the CAPF server does not know ${identity.name} (reason 9)` });
  if (s.endReason === Reason.INVALID_ELEMENT) return result('failed', PhoneStatus.FAILED, { ...base, problem: s.problem ?? 'the CAPF server refused the operation (reason 7)' });
  if (s.operation === 'install') {
    if (s.endReason === Reason.OK && s.installed) {
      return result('installed', PhoneStatus.INSTALLED, { ...base, lsc: s.installed });
    }
    return result('failed', PhoneStatus.FAILED, { ...base, problem: s.problem ?? `the install ended with reason ${s.endReason}` });
  }
  if (s.operation === 'delete') return s.endReason === Reason.OK ? result('deleted', PhoneStatus.NOT_INSTALLED, base) : result('failed', PhoneStatus.FAILED, { ...base, problem: `the delete ended with reason ${s.endReason}` });
  if (s.operation === 'fetch') return s.endReason === Reason.NO_ACTION ? result('fetched', lscState, base) : result('failed', PhoneStatus.FAILED, { ...base, problem: `the Troubleshoot fetch ended with reason ${s.endReason}` });
  if (s.endReason === Reason.NO_ACTION || s.endReason === Reason.OK) {
    add('detail', 'no certificate operation is pending for this phone');
    return result('no-operation', lscState, base);
  }
  return result('failed', PhoneStatus.FAILED, { ...base, problem: `unexpected END_SESSION reason ${s.endReason}` });
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
