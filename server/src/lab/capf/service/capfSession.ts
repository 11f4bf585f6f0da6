/**
 * One CAPF session (one TLS connection) on the server side: a state machine driven by the phone's messages.
 *
 *   AUTH_REQ → AUTH_RESP → (no operation: END_SESSION 0 | unknown device: END_SESSION 9 | refused: END_SESSION 7)
 *   Install:      KEYGEN_REQ → [REQUEST_IN_PROGRESS] → KEYGEN_RESP → STORE_CERT_REQ → STORE_CERT_RESP → END_SESSION 1
 *   Troubleshoot: FETCH_CERT_REQ → FETCH_CERT_RESP → END_SESSION 0
 *   Delete:       DELETE_CERT_REQ → DELETE_CERT_RESP → END_SESSION 1
 *
 * Anything malformed, out of order or late ends the session with a reason, a log line and (when a device
 * operation was under way) a Certificate Operation Status. Messages are handled one at a time, in order.
 */
import { decodeCertificate } from '../../../core/cert/decodeCertificate';
import { equalSecrets } from '../../../core/crypto/equalSecrets';
import { Clock } from '../../../core/time/clock';
import { describeSpec, keySpecOf } from '../../model/keys';
import { checkSpki, specMatches } from './spki';
import { CodecError, CapfMessage, encodeMessage } from '../protocol/codec';
import { AuthType, Command, PROTOCOL_VERSION, Reason, commandName } from '../protocol/constants';
import { FramedMessage } from '../protocol/framer';
import {
  KeyRequest,
  ParsedAuthResponse,
  authRequest,
  deleteCertRequest,
  endSession,
  fetchCertRequest,
  keygenRequest,
  parseAuthResponse,
  parseCertificateMessage,
  parseKeygenResponse,
  parseReason,
  storeCertRequest,
} from '../protocol/messages';
import { lockedUntil, nextFailure } from './authLockout';
import { verifyExistingCertificate } from './certificateAuth';
import { DeviceEntry, deviceNameProblem } from '../../model/deviceTable';
import { DeviceState, operationDue, operationKey } from '../../model/deviceState';
import { LabState } from './labState';
import { StateLog } from './stateLog';
import { IssuedLsc, issueLscAsync } from './lscProfile';
import { summarizeDecoded } from '../../model/issuedLsc';
import { LogEvent, OperationLogEntry } from './operationLog';
import { CapfLogCode, FailureCause, OperationKind, STATUS_EC_UNSUPPORTED, STATUS_PENDING, failureStatus, logCodeFor, operationKindOf, successStatus } from '../../model/operationStatus';

export interface SessionContext {
  state: LabState;
  /** what the server learned about each device (only the server writes it) */
  states: StateLog;
  clock: Clock;
  /** devices with a session under way: a second concurrent session for one device is refused */
  busyDevices: Set<string>;
  lscValidityDays: number;
  log(entry: Omit<OperationLogEntry, 'time'>): void;
}

export interface SessionIo {
  /** one whole message, one write */
  send(bytes: Buffer, message: CapfMessage): void;
  /** ends the connection after pending writes */
  close(): void;
}

export type SessionOutcome = 'success' | 'no-operation' | 'unknown-device' | 'refused' | 'failed' | 'protocol-error' | 'timeout' | 'peer-closed' | 'aborted';

export interface SessionSummary {
  sessionId: number;
  peer: string;
  device?: string;
  operation?: OperationKind;
  outcome: SessionOutcome;
  /** END_SESSION reason sent, if one was */
  reason?: number;
  /** the device's Certificate Operation Status set by this session, if any */
  status?: string;
  message: string;
}

type Phase = 'auth' | 'keygen' | 'store' | 'fetch' | 'delete' | 'ended';

/**
 * Messages a phone may send without waiting for the server: REQUEST_IN_PROGRESS and KEYGEN_RESP go back to
 * back, nothing else does. More than this queued behind a step still under way (the LSC's signature, the
 * flush of the result) ends the session once that step is done, the queued messages unhandled, so that a
 * flood cannot pile up work and memory.
 */
export const MAX_QUEUED_MESSAGES = 4;

const CURVE_BY_BITS = { 256: 'P-256', 384: 'P-384', 521: 'P-521' } as const;

export class CapfSession {
  private phase: Phase = 'auth';
  private chain: Promise<void> = Promise.resolve();
  private device?: DeviceEntry;
  private kind?: OperationKind;
  private keyRequest?: KeyRequest;
  private rsaFallbackUsed = false;
  private inProgressSeen = false;
  private issued?: IssuedLsc;
  private holdsDevice = false;
  /** the device's state when the session began */
  private known?: DeviceState;
  /** changes to the device's state this session makes, written together when it ends */
  private stateChanges: Array<(s: DeviceState) => void> = [];
  /** messages received and not yet handled */
  private queued = 0;
  private flooded = false;
  /** counts the server's messages: a wait for the phone begins with each */
  private waits = 0;
  private resolveDone!: (s: SessionSummary) => void;
  readonly done: Promise<SessionSummary>;

  constructor(
    private readonly ctx: SessionContext,
    readonly sessionId: number,
    readonly peer: string,
    private readonly io: SessionIo,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  get ended(): boolean {
    return this.phase === 'ended';
  }

  /** The server speaks first: AUTH_REQ with VERSION 3 and AUTH_TYPE 0, as capfd does. */
  start(): void {
    this.send(authRequest(this.sessionId, AuthType.NONE));
  }

  receive(framed: FramedMessage): void {
    if (this.flooded) return;
    if (++this.queued > MAX_QUEUED_MESSAGES) {
      this.flooded = true;
      this.enqueue(() => this.fail('protocol-error', `more than ${MAX_QUEUED_MESSAGES} messages sent without waiting for the server`, 'Phone Communication Failure'));
      return;
    }
    this.enqueue(() => {
      this.queued--;
      return this.flooded ? Promise.resolve() : this.handle(framed.message); // a flooding phone's messages are not acted on
    });
  }

  protocolError(error: CodecError): void {
    this.enqueue(() => this.fail('protocol-error', `malformed message: ${error.message}`, 'Phone Communication Failure'));
  }

  /**
   * The phone sent nothing for `idleMs` (or, `partial`, did not complete a message it began that long ago).
   * A timeout that fires while a step of the server's own is under way is dropped when that step sent the
   * phone a new message: the wait it measured was the server's, and a new one has begun.
   */
  timeout(idleMs: number, partial = false): void {
    const waits = this.waits;
    this.enqueue(() => {
      if (this.waits !== waits) return Promise.resolve();
      const cause: FailureCause = this.phase === 'keygen' ? 'Key Generation Failed/Timeout' : 'Phone Communication Failure';
      const what = partial ? `a message the phone began ${idleMs} ms ago is still incomplete` : `no message from the phone for ${idleMs} ms`;
      return this.fail('timeout', `${what} while waiting in phase "${this.phase}"`, cause, 'timeout');
    });
  }

  peerClosed(detail = 'the phone closed the connection'): void {
    this.enqueue(() => this.finish({ outcome: 'peer-closed', message: `${detail} in phase "${this.phase}"`, cause: 'Phone Communication Failure', sendEnd: false, event: 'session-end' }));
  }

  abort(why: string): void {
    this.enqueue(() => this.finish({ outcome: 'aborted', message: why, reason: Reason.INVALID_ELEMENT, event: 'session-end' }));
  }

  // ---- dispatch ---------------------------------------------------------------------------------

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain
      .then(() => (this.ended ? undefined : step()))
      .catch((e: unknown) => this.finish({ outcome: 'failed', message: `internal error: ${(e as Error)?.message ?? String(e)}`, reason: Reason.INVALID_ELEMENT, cause: undefined, event: 'protocol-error' }).catch(() => undefined));
  }

  private async handle(m: CapfMessage): Promise<void> {
    if (m.sessionId !== this.sessionId) {
      return this.fail('protocol-error', `${commandName(m.command)} carries session id ${m.sessionId}; this session is ${this.sessionId}`, 'Phone Communication Failure');
    }
    if (m.command === Command.END_SESSION) {
      const r = parseReason(m);
      return this.finish({ outcome: 'peer-closed', message: `the phone ended the session (reason ${r.ok ? r.value : '?'}) in phase "${this.phase}"`, cause: 'Phone Communication Failure', sendEnd: false, event: 'session-end' });
    }
    switch (this.phase) {
      case 'auth':
        return m.command === Command.AUTH_RESP ? this.onAuthResponse(m) : this.outOfOrder(m, 'AUTH_RESP');
      case 'keygen':
        if (m.command === Command.REQUEST_IN_PROGRESS) return this.onRequestInProgress();
        return m.command === Command.KEYGEN_RESP ? this.onKeygenResponse(m) : this.outOfOrder(m, 'KEYGEN_RESP or REQUEST_IN_PROGRESS');
      case 'store':
        return m.command === Command.STORE_CERT_RESP ? this.onStoreResponse(m) : this.outOfOrder(m, 'STORE_CERT_RESP');
      case 'fetch':
        return m.command === Command.FETCH_CERT_RESP ? this.onFetchResponse(m) : this.outOfOrder(m, 'FETCH_CERT_RESP');
      case 'delete':
        return m.command === Command.DELETE_CERT_RESP ? this.onDeleteResponse(m) : this.outOfOrder(m, 'DELETE_CERT_RESP');
      default:
        return undefined;
    }
  }

  private outOfOrder(m: CapfMessage, expected: string): Promise<void> {
    return this.fail('protocol-error', `out-of-order ${commandName(m.command)} (expected ${expected})`, 'Phone Communication Failure');
  }

  // ---- authentication and operation choice ----------------------------------------------------------

  private async onAuthResponse(m: CapfMessage): Promise<void> {
    const parsed = parseAuthResponse(m);
    if (!parsed.ok) return this.fail('protocol-error', `malformed AUTH_RESP: ${parsed.error.message}`);
    const auth = parsed.value;
    if (auth.version < 1 || auth.version > PROTOCOL_VERSION) {
      return this.fail('protocol-error', `the phone speaks CAPF version ${auth.version}; this server speaks 1 to ${PROTOCOL_VERSION}`);
    }
    const name = auth.deviceName;
    if (deviceNameProblem(name)) {
      return this.finish({ outcome: 'unknown-device', message: `unknown device: ${deviceNameProblem(name)}`, reason: Reason.UNKNOWN_DEVICE, event: 'auth' });
    }
    let entry: DeviceEntry | undefined;
    try {
      entry = await this.ctx.state.table.get(name);
      this.known = entry && this.ctx.states.get(name);
    } catch (e) {
      return this.finish({ outcome: 'failed', message: `cannot look up ${name}: ${(e as Error).message}`, reason: Reason.INVALID_ELEMENT, event: 'auth', device: name });
    }
    if (!entry) return this.finish({ outcome: 'unknown-device', message: `unknown device ${name}: it is not in the device table`, reason: Reason.UNKNOWN_DEVICE, event: 'auth', device: name });
    const kind = operationKindOf(entry.certificateOperation);
    if (!kind) return this.finish({ outcome: 'no-operation', message: `${name}: no certificate operation is scheduled`, reason: Reason.NO_ACTION, event: 'operation', device: name });
    if (!operationDue(entry, this.known)) {
      return this.finish({ outcome: 'no-operation', message: `${name}: the scheduled ${entry.certificateOperation} is done (${this.known?.certificateOperationStatus}); schedule it again to repeat it`, reason: Reason.NO_ACTION, event: 'operation', device: name });
    }
    if (this.ctx.busyDevices.has(name)) {
      return this.finish({ outcome: 'refused', message: `${name}: another session for this device is under way`, reason: Reason.INVALID_ELEMENT, event: 'auth', device: name });
    }
    this.ctx.busyDevices.add(name);
    this.holdsDevice = true;
    this.device = entry;
    this.kind = kind;
    if (this.isLate()) return this.fail('failed', `${name}: Operation Completes By (${entry.operationCompletesBy}) has passed`, 'User Initiated Request Late/Timedout', 'operation');
    const refusal = this.authenticate(entry, auth);
    if (refusal) return this.fail('refused', `${name}: ${refusal.message}`, refusal.cause, 'auth');
    const step = `${name} authenticated (${entry.authenticationMode}); operation ${entry.certificateOperation}`;
    if (kind === 'Upgrade') return this.requestKey(firstKeyRequest(entry), step);
    this.log('auth', step);
    if (kind === 'Troubleshoot') {
      this.phase = 'fetch';
      this.send(fetchCertRequest(this.sessionId));
      return undefined;
    }
    this.phase = 'delete';
    this.send(deleteCertRequest(this.sessionId));
    return undefined;
  }

  /** undefined when the phone is authenticated. */
  private authenticate(entry: DeviceEntry, auth: ParsedAuthResponse): { cause: FailureCause; message: string } | undefined {
    switch (entry.authenticationMode) {
      case 'By Null String':
        return undefined;
      case 'By Authentication String': {
        const now = this.ctx.clock();
        const until = lockedUntil(this.known, now);
        if (until) return { cause: 'Invalid Authentication String', message: `locked after repeated wrong authentication strings until ${until.toISOString()}` };
        if (auth.password !== undefined && entry.authenticationString !== undefined && equalSecrets(auth.password, entry.authenticationString)) {
          if (this.known?.authFailures) this.stateChanges.push((s) => delete s.authFailures);
          return undefined;
        }
        const r = nextFailure(this.known, now);
        this.stateChanges.push((s) => (s.authFailures = r));
        const what = auth.password ? 'wrong authentication string' : 'no authentication string';
        return {
          cause: 'Invalid Authentication String',
          message: r.lockedUntil ? `${what} (${r.count} in a row): locked until ${r.lockedUntil}` : `${what} (${r.count} in a row)`,
        };
      }
      default: {
        const r = verifyExistingCertificate({ deviceName: entry.name, auth, capf: this.ctx.state.capf, manufacturingCa: this.ctx.state.manufacturingCa, now: this.ctx.clock() });
        if (!r.ok) return { cause: r.cause, message: r.problem };
        this.log('auth', `${entry.name} proved its ${r.kind} (${r.subject})`);
        return undefined;
      }
    }
  }

  private isLate(): boolean {
    const by = this.device?.operationCompletesBy;
    return !!by && this.ctx.clock().getTime() > Date.parse(by);
  }

  // ---- install ------------------------------------------------------------------------------------

  /** Sends KEYGEN_REQ; `context` starts the log line (one line per step keeps the log readable and cheap). */
  private requestKey(req: KeyRequest, context = this.device?.name ?? ''): undefined {
    this.keyRequest = req;
    this.inProgressSeen = false;
    this.phase = 'keygen';
    this.log('keygen', `${context}: asking for an ${describeSpec(keySpecOf(req))} key`);
    this.send(keygenRequest(this.sessionId, req));
    return undefined;
  }

  private onRequestInProgress(): Promise<void> | undefined {
    if (this.inProgressSeen) return this.fail('protocol-error', 'a second REQUEST_IN_PROGRESS (only one is tolerated)', 'Phone Communication Failure');
    this.inProgressSeen = true;
    return undefined;
  }

  private async onKeygenResponse(m: CapfMessage): Promise<void> {
    const device = this.device as DeviceEntry;
    const parsed = parseKeygenResponse(m);
    if (!parsed.ok) return this.fail('protocol-error', `malformed KEYGEN_RESP: ${parsed.error.message}`, 'Key Generation Failed/Timeout');
    const req = this.keyRequest as KeyRequest;
    if (!parsed.value.publicKey) {
      if (req.keyType === 'EC' && device.keyOrder === 'EC Preferred, RSA Backup' && !this.rsaFallbackUsed) {
        this.rsaFallbackUsed = true;
        this.requestKey({ keyType: 'RSA', keySize: device.rsaKeySize }, `${device.name} could not generate an EC key (reason ${parsed.value.reason}), RSA backup`);
        return undefined;
      }
      const ecOnly = req.keyType === 'EC' && device.keyOrder === 'EC Only';
      return this.fail('failed', `${device.name} reported key generation failure (reason ${parsed.value.reason})`, ecOnly ? 'ec-unsupported' : 'Key Generation Failed/Timeout', 'keygen');
    }
    const spki = checkSpki(parsed.value.publicKey);
    if (!spki.ok) return this.fail('failed', `${device.name} sent an unusable key: ${spki.problem}`, 'Key Generation Failed/Timeout', 'keygen');
    const spec = keySpecOf(req);
    if (!specMatches(spec, spki.spec)) {
      return this.fail('failed', `${device.name} sent an ${spki.description} key; it was asked for ${describeSpec(spec)}`, 'Key Generation Failed/Timeout', 'keygen');
    }
    if (this.isLate()) return this.fail('failed', `${device.name}: Operation Completes By (${device.operationCompletesBy}) passed during key generation`, 'User Initiated Request Late/Timedout', 'keygen');
    try {
      // the phone's SubjectPublicKeyInfo goes into the LSC as received and checked, as CAs copy a CSR's
      this.issued = await issueLscAsync(this.ctx.state.capf, device.name, { spki: parsed.value.publicKey, description: spki.description }, this.ctx.clock(), this.ctx.lscValidityDays);
    } catch (e) {
      return this.fail('failed', `could not issue the LSC: ${(e as Error).message}`, undefined, 'keygen');
    }
    // On record before the phone can hold it: a phone that stores this LSC finds it in the register even if
    // the server goes down before the phone's answer.
    const lsc = this.ctx.state.issuedLsc(this.issued.der, this.issued.summary.serialNumber);
    const key = operationKey(device);
    await this.ctx.states.update(device.name, (s) => {
      s.lscs.push(lsc);
      s.operationKey = key;
      s.certificateOperationStatus = STATUS_PENDING;
    });
    this.phase = 'store';
    this.send(storeCertRequest(this.sessionId, this.issued.der));
    return undefined;
  }

  private async onStoreResponse(m: CapfMessage): Promise<void> {
    const device = this.device as DeviceEntry;
    const reason = parseReason(m);
    if (!reason.ok) return this.fail('protocol-error', `malformed STORE_CERT_RESP: ${reason.error.message}`);
    if (reason.value !== Reason.OK) return this.fail('failed', `${device.name} did not store the LSC (reason ${reason.value})`, undefined, 'issued');
    const { summary } = this.issued as IssuedLsc;
    // END_SESSION goes out only once the result is on disk (finish writes the state first)
    return this.finish({
      outcome: 'success',
      message: `${device.name}: LSC installed, serial ${summary.serialNumber}, ${summary.publicKey}, valid to ${summary.notAfter}`,
      reason: Reason.OK,
      event: 'issued',
      status: successStatus('Upgrade'),
      completed: true,
      update: (s) => {
        s.lsc = summary;
      },
      capfCode: CapfLogCode.CAPF_OP_SUCCESS,
    });
  }

  // ---- troubleshoot and delete ---------------------------------------------------------------------

  private async onFetchResponse(m: CapfMessage): Promise<void> {
    const device = this.device as DeviceEntry;
    const parsed = parseCertificateMessage(m);
    if (!parsed.ok) return this.fail('protocol-error', `malformed FETCH_CERT_RESP: ${parsed.error.message}`);
    const status = successStatus('Troubleshoot');
    if (parsed.value.reason !== Reason.OK || !parsed.value.certificate) {
      return this.finish({ outcome: 'success', message: `${device.name}: the phone holds no LSC to fetch (reason ${parsed.value.reason})`, reason: Reason.NO_ACTION, event: 'fetched', completed: true, status, capfCode: CapfLogCode.CAPF_FETCH_SUCCESS_BUT_NO_CERT });
    }
    const der = parsed.value.certificate.der;
    const decoded = decodeCertificate(der);
    if (!decoded.ok || decoded.problems.length) return this.fail('failed', `${device.name} returned a certificate that cannot be read`, undefined, 'fetched');
    await this.ctx.state.writeFetchedCertificate(device.name, der);
    const summary = summarizeDecoded(decoded.certificate);
    return this.finish({ outcome: 'success', message: `${device.name}: fetched its certificate ${summary.subject}, serial ${summary.serialNumber}`, reason: Reason.NO_ACTION, event: 'fetched', completed: true, status, capfCode: CapfLogCode.CAPF_OP_SUCCESS });
  }

  private async onDeleteResponse(m: CapfMessage): Promise<void> {
    const device = this.device as DeviceEntry;
    const reason = parseReason(m);
    if (!reason.ok) return this.fail('protocol-error', `malformed DELETE_CERT_RESP: ${reason.error.message}`);
    if (reason.value !== Reason.OK) {
      // capfd ends a delete with reason 1 whatever the phone said [F]; the status tells the difference.
      return this.finish({ outcome: 'failed', message: `${device.name} could not delete its LSC (reason ${reason.value})`, reason: Reason.OK, event: 'deleted', status: failureStatus('Delete'), capfCode: CapfLogCode.CAPF_OP_FAIL });
    }
    return this.finish({
      outcome: 'success',
      message: `${device.name}: LSC deleted`,
      reason: Reason.OK,
      event: 'deleted',
      completed: true,
      update: (s) => {
        delete s.lsc;
      },
      status: successStatus('Delete'),
      capfCode: CapfLogCode.CAPF_OP_SUCCESS,
    });
  }

  // ---- ending ----------------------------------------------------------------------------------

  /** Ends with END_SESSION 7 and, when an operation is under way, "<Op> Failed[: cause]". */
  private fail(outcome: SessionOutcome, message: string, cause?: FailureCause | 'ec-unsupported', event: LogEvent = 'protocol-error'): Promise<void> {
    const status = this.kind ? (cause === 'ec-unsupported' ? STATUS_EC_UNSUPPORTED : failureStatus(this.kind, cause)) : undefined;
    return this.finish({
      outcome,
      message,
      reason: Reason.INVALID_ELEMENT,
      event,
      status,
      capfCode: logCodeFor(cause === 'ec-unsupported' ? undefined : cause),
    });
  }

  private async finish(f: {
    outcome: SessionOutcome;
    message: string;
    event: LogEvent;
    reason?: number;
    sendEnd?: boolean;
    cause?: FailureCause;
    /** the device's Certificate Operation Status after this session */
    status?: string;
    /** the scheduled operation is done: it is not run again until the table schedules another */
    completed?: boolean;
    update?: (s: DeviceState) => void;
    device?: string;
    capfCode?: number;
  }): Promise<void> {
    if (this.ended) return;
    const previous = this.phase;
    this.phase = 'ended';
    let status = f.status;
    // A session that breaks off after the operation started leaves the device a failure status.
    if (!status && f.cause && this.kind && previous !== 'auth') status = failureStatus(this.kind, f.cause);
    const device = this.device?.name ?? f.device;
    const entry = this.device;
    if (entry && (status || f.update || this.stateChanges.length)) {
      const key = operationKey(entry);
      try {
        await this.ctx.states.update(entry.name, (s) => {
          for (const change of this.stateChanges) change(s);
          f.update?.(s);
          if (status) {
            s.certificateOperationStatus = status;
            s.operationKey = key;
          }
          if (f.completed) s.completedKey = key;
        });
      } catch (e) {
        const why = `could not record the result for ${entry.name}: ${(e as Error).message}`;
        // a result that cannot be recorded is not acknowledged: the session fails
        if (f.completed) f = { ...f, outcome: 'failed', message: why, reason: Reason.INVALID_ELEMENT, event: 'protocol-error', capfCode: CapfLogCode.CAPF_OP_FAIL };
        else this.log('protocol-error', why);
      }
    }
    const sendEnd = f.sendEnd ?? f.reason !== undefined;
    if (sendEnd && f.reason !== undefined) this.send(endSession(this.sessionId, f.reason));
    this.io.close();
    if (this.holdsDevice && this.device) this.ctx.busyDevices.delete(this.device.name);
    this.ctx.log({ event: f.event, message: f.message, session: this.sessionId, peer: this.peer, device, reason: sendEnd ? f.reason : undefined, status, capfCode: f.capfCode });
    this.resolveDone({ sessionId: this.sessionId, peer: this.peer, device, operation: this.kind, outcome: f.outcome, reason: sendEnd ? f.reason : undefined, status, message: f.message });
  }

  private send(m: CapfMessage): void {
    this.waits++;
    this.io.send(encodeMessage(m), m);
  }

  private log(event: LogEvent, message: string): void {
    this.ctx.log({ event, message, session: this.sessionId, peer: this.peer, device: this.device?.name });
  }
}

function firstKeyRequest(e: DeviceEntry): KeyRequest {
  return e.keyOrder === 'RSA Only' ? { keyType: 'RSA', keySize: e.rsaKeySize } : { keyType: 'EC', curve: CURVE_BY_BITS[e.ecKeySize] };
}
