/**
 * The lab CAPF server: TLS on 127.0.0.1:3804 by default (port 0 = any free port), presenting the lab's CAPF
 * certificate and asking for no client certificate, as CUCM does. Each connection is one CapfSession. The
 * listener caps connections, in all and per client address (counted at TCP accept, before the TLS handshake,
 * so handshakes count), times out idle or stuck sessions, and survives any input: faults end that session
 * only, with a log line (refusals and failed handshakes rate-limited, so a flood does not flood the log).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { LogThrottle, heldNote } from '../../../core/net/logThrottle';
import { PerAddressLimit } from '../../../core/net/perAddressLimit';
import { Clock } from '../../../core/time/clock';
import { CAPF_PORT, DEFAULT_MAX_MESSAGE_SIZE, commandName } from '../protocol/constants';
import { MessageFramer } from '../protocol/framer';
import { LabState } from './labState';
import { lockLab, writeServerInfo } from './labLock';
import { StateLog } from './stateLog';
import { LSC_VALIDITY_DAYS, checkValidityDays } from './lscProfile';
import { isLegacyTls, tlsVersionOptions } from './tlsMin';
import { OperationLogEntry } from './operationLog';
import { CapfSession, SessionContext, SessionSummary } from './capfSession';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** After END_SESSION, how long the phone has to close its side before the server drops the connection. */
export const CLOSE_GRACE_MS = 5000;
export const DEFAULT_MAX_CONNECTIONS = 1000;

export interface WireTraceEvent {
  direction: 'phone→server' | 'server→phone';
  sessionId: number;
  peer: string;
  command: string;
  bytes: Buffer;
}

export interface CapfServerOptions {
  state: LabState;
  /** default 127.0.0.1: the lab stays on loopback unless told otherwise */
  host?: string;
  /** default 3804; 0 picks a free port */
  port?: number;
  /** default: the lab state's clock */
  clock?: Clock;
  /** a session with no traffic for this long ends, as does one whose phone began a message that long ago and has not finished it; default 30 s */
  idleTimeoutMs?: number;
  /** after END_SESSION, the connection is dropped if the phone has not closed it within this; default CLOSE_GRACE_MS */
  closeGraceMs?: number;
  /** a TLS handshake not finished within this ends; default 10 s */
  handshakeTimeoutMs?: number;
  /** connections at once in all; default 1000 */
  maxConnections?: number;
  /** connections at once from one remote address (handshakes included); default 16 */
  perAddressLimit?: number;
  maxMessageSize?: number;
  /** 1–3560, default 365 */
  lscValidityDays?: number;
  /** default TLSv1.2; real 7900-series phones only speak TLS 1.0: below 1.2 the security level is lowered (tlsMin.ts) */
  minTlsVersion?: tls.SecureVersion;
  /** session ids count up from here (capfd starts at 1) */
  firstSessionId?: number;
  /** every message in both directions, for wire views */
  trace?: (e: WireTraceEvent) => void;
}

export interface ServerAddress {
  host: string;
  port: number;
}

export class CapfServer {
  private readonly sessions = new Set<CapfSession>();
  private readonly refusalLog = new LogThrottle();
  private readonly tlsErrorLog = new LogThrottle();
  private readonly sockets = new Set<net.Socket>();
  private readonly endListeners = new Set<(s: SessionSummary) => void>();
  private nextSession: number;
  private stopping: Promise<void> | undefined;
  private readonly ctx: SessionContext;
  private readonly idleMs: number;
  private readonly closeGraceMs: number;
  private readonly maxMessageSize: number;
  /** sessions opened since start */
  sessionCount = 0;

  private constructor(
    /** accepts TCP connections, applies the limits, and hands each admitted socket to `tlsServer` */
    private readonly server: net.Server,
    private readonly tlsServer: tls.Server,
    private readonly perAddress: PerAddressLimit,
    readonly state: LabState,
    readonly address: ServerAddress,
    private readonly o: CapfServerOptions,
    private readonly unlock: () => Promise<void>,
    /** what the server learned about each device: only this server writes it while it runs */
    readonly states: StateLog,
  ) {
    const clock = o.clock ?? state.clock;
    this.idleMs = o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.closeGraceMs = o.closeGraceMs ?? CLOSE_GRACE_MS;
    this.maxMessageSize = o.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.nextSession = o.firstSessionId ?? 1;
    this.ctx = {
      state,
      clock,
      states,
      busyDevices: new Set(),
      lscValidityDays: o.lscValidityDays ?? LSC_VALIDITY_DAYS.default,
      log: (e) => state.log.append({ time: clock().toISOString(), ...e }),
    };
  }

  /** Starts listening; rejects with a readable message when the address is taken or not local. */
  static async start(o: CapfServerOptions): Promise<CapfServer> {
    if (o.lscValidityDays !== undefined) checkValidityDays(o.lscValidityDays);
    const perAddress = new PerAddressLimit(o.perAddressLimit); // (a bad limit is refused before anything starts)
    const host = o.host ?? DEFAULT_HOST;
    const port = o.port ?? CAPF_PORT;
    const server = net.createServer();
    const tlsServer = tls.createServer({
      ...secureOptions(o.state, o.minTlsVersion),
      requestCert: false,
      handshakeTimeout: o.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    });
    server.maxConnections = o.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    // one server per lab folder: its state has one writer
    const log = (message: string) => o.state.log.append({ time: (o.clock ?? o.state.clock)().toISOString(), event: 'protocol-error', message });
    const unlock = await lockLab(o.state.paths, log);
    let states: StateLog;
    try {
      states = await StateLog.open(o.state.paths.stateLog, o.clock ?? o.state.clock);
    } catch (e) {
      await unlock();
      throw new Error(`cannot read the lab's state ${o.state.paths.stateLog}: ${(e as Error).message}`);
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        const why = e.code === 'EADDRINUSE' ? 'the port is in use (another CAPF server?)' : e.code === 'EADDRNOTAVAIL' ? 'no such local address' : e.code === 'EACCES' ? 'permission denied' : e.message;
        void states.close().then(unlock, unlock).then(() => reject(new Error(`cannot listen on ${host}:${port}: ${why}`)));
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const a = server.address() as net.AddressInfo;
    const capf = new CapfServer(server, tlsServer, perAddress, o.state, { host: a.address, port: a.port }, o, unlock, states);
    await writeServerInfo(o.state.paths, { pid: process.pid, address: `${a.address}:${a.port}`, startedAt: new Date().toISOString() });
    capf.wire();
    const legacy = o.minTlsVersion && isLegacyTls(o.minTlsVersion) ? `; accepts ${o.minTlsVersion} and up at OpenSSL security level 0` : '';
    capf.ctx.log({ event: 'server-start', message: `CAPF server listening on ${a.address}:${a.port} with ${o.state.capf.cert.subject.rfc4514}${legacy}` });
    return capf;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Called with every finished session. Returns an unsubscribe function. */
  onSessionEnd(listener: (s: SessionSummary) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  onLog(listener: (e: OperationLogEntry) => void): () => void {
    return this.state.log.onEntry(listener);
  }

  /** Serves the lab's current CAPF certificate to new connections (after regenerateCapf/importCapf). */
  reloadCapfCertificate(): void {
    this.tlsServer.setSecureContext(secureOptions(this.state, this.o.minTlsVersion));
  }

  /** Stops listening, ends open sessions, waits for the state to reach the disk. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const s of this.sessions) s.abort('the CAPF server is stopping');
      await Promise.all([...this.sessions].map((s) => s.done));
      for (const socket of this.sockets) socket.destroy();
      await closed;
      this.logHeld();
      this.ctx.log({ event: 'server-stop', message: `CAPF server on ${this.address.host}:${this.address.port} stopped after ${this.sessionCount} session(s)` });
      await this.state.flush();
      await this.states.close();
      await this.unlock();
    })();
    return this.stopping;
  }

  /** How many connections one address may hold at once. */
  get perAddressLimit(): number {
    return this.perAddress.max;
  }

  /** Connections `address` holds now (handshakes included). */
  connectionsFrom(address: string): number {
    return this.perAddress.count(address);
  }

  private wire(): void {
    const s = this.server;
    const t = this.tlsServer;
    s.on('connection', (socket: net.Socket) => this.guard(() => this.admit(socket)));
    t.on('secureConnection', (socket: tls.TLSSocket) => this.guard(() => this.accept(socket)));
    t.on('tlsClientError', (err: Error, socket: tls.TLSSocket) =>
      this.guard(() => {
        const peer = peerOf(socket); // (before destroy, which forgets the peer)
        socket.destroy();
        const line = this.tlsErrorLog.admit();
        if (line) this.ctx.log({ event: 'tls-error', message: `TLS handshake failed: ${err.message}${heldNote(line.held, 'failed handshakes')}`, peer });
      }),
    );
    s.on('drop', (data?: { remoteAddress?: string; remotePort?: number }) =>
      this.guard(() => this.refused(data ? `${data.remoteAddress}:${data.remotePort}` : undefined, `connection limit (${s.maxConnections}) reached: connection refused`)),
    );
    s.on('error', (err: Error) => this.guard(() => this.ctx.log({ event: 'protocol-error', message: `listener error: ${err.message}` })));
  }

  /**
   * A TCP connection, before any TLS: refused when its address already holds its share, otherwise counted
   * until it closes and handed to the TLS server (so the handshake holds the slot too).
   */
  private admit(socket: net.Socket): void {
    socket.on('error', () => undefined); // handshake-stage errors are reported by tlsClientError
    const address = socket.remoteAddress;
    const release = address === undefined ? undefined : this.perAddress.acquire(address);
    if (!release) {
      const peer = peerOf(socket);
      socket.destroy();
      if (address !== undefined) this.refused(peer, `${address} already holds ${this.perAddress.max} connections (the per-address limit): connection refused`);
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      release();
    });
    if (this.stopping) {
      socket.destroy();
      return;
    }
    try {
      this.tlsServer.emit('connection', socket);
    } catch (e) {
      socket.destroy();
      throw e;
    }
  }

  /** One refused connection: a log line, unless too many have been written lately (they are counted). */
  private refused(peer: string | undefined, message: string): void {
    const line = this.refusalLog.admit();
    if (line) this.ctx.log({ event: 'connection-refused', message: `${message}${heldNote(line.held, 'refusals')}`, peer });
  }

  /** Writes what the throttles still hold back, when the server stops. */
  private logHeld(): void {
    const refusals = this.refusalLog.takeHeld();
    const handshakes = this.tlsErrorLog.takeHeld();
    if (refusals) this.ctx.log({ event: 'connection-refused', message: `${refusals} more refused connection(s) were not logged` });
    if (handshakes) this.ctx.log({ event: 'tls-error', message: `${handshakes} more failed TLS handshake(s) were not logged` });
  }

  private accept(socket: tls.TLSSocket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const sessionId = this.nextSession;
    this.nextSession = this.nextSession >= 0xffffffff ? 1 : this.nextSession + 1;
    this.sessionCount++;
    // Every message is one write, and the protocol is request/response: Nagle would hold a message back
    // until the previous one is acknowledged, which with delayed ACKs costs up to 40 ms per exchange.
    socket.setNoDelay(true);
    const peer = peerOf(socket);
    const framer = new MessageFramer(this.maxMessageSize);
    const trace = this.o.trace;
    /** when the session ended and the server closed its side (0: not yet) */
    let closedAt = 0;
    /** when the bytes of a message not yet complete began to arrive (0: none pending) */
    let partialSince = 0;
    const session = new CapfSession(this.ctx, sessionId, peer, {
      send: (bytes, m) => {
        if (socket.destroyed || !socket.writable) return;
        socket.write(bytes);
        trace?.({ direction: 'server→phone', sessionId, peer, command: commandName(m.command), bytes });
      },
      close: () => {
        closedAt = Date.now();
        socket.end();
        // a phone that never closes its side must not hold the socket forever; the socket's own timer (not a
        // timer of ours, which would outlive every closed socket for 5 s) replaces the idle timeout
        socket.setTimeout(this.closeGraceMs, () => socket.destroy());
      },
    });
    this.sessions.add(session);
    socket.setTimeout(this.idleMs, () => session.timeout(this.idleMs));
    socket.on('data', (chunk: Buffer) =>
      this.guard(() => {
        if (session.ended) {
          // after END_SESSION the phone only closes: bytes it still sends (each resets the socket's timer)
          // do not keep the connection, and its slot, open past the grace period
          if (closedAt && Date.now() - closedAt > this.closeGraceMs) socket.destroy();
          return;
        }
        const out = framer.push(chunk);
        for (const f of out.messages) {
          trace?.({ direction: 'phone→server', sessionId, peer, command: commandName(f.message.command), bytes: f.raw });
          session.receive(f);
        }
        if (out.error) return session.protocolError(out.error);
        // The socket's timer measures silence, and every byte resets it: a message trickled in a byte at a
        // time must still arrive whole within the idle timeout, or one connection could last for days.
        if (framer.buffered === 0) partialSince = 0;
        else if (out.messages.length || !partialSince) partialSince = Date.now();
        else if (Date.now() - partialSince > this.idleMs) session.timeout(this.idleMs, true);
      }),
    );
    socket.on('error', (err: Error) => session.peerClosed(`connection error: ${err.message}`));
    socket.on('close', () => session.peerClosed());
    void session.done.then((summary) => {
      this.sessions.delete(session);
      for (const l of this.endListeners) this.guard(() => l(summary));
    });
    session.start();
  }

  /** Runs a callback so that nothing it throws can take the server down; the fault is logged. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      try {
        this.ctx.log({ event: 'protocol-error', message: `internal error contained: ${(e as Error)?.message ?? String(e)}` });
      } catch {
        /* nothing more can be done */
      }
    }
  }
}

/** The certificate and the TLS versions (setSecureContext replaces them all: a reload must repeat the versions). */
function secureOptions(state: LabState, minTlsVersion: tls.SecureVersion | undefined): tls.SecureContextOptions {
  return { cert: state.capf.pem, key: state.capf.key.export({ format: 'pem', type: 'pkcs8' }) as string, ...tlsVersionOptions(minTlsVersion) };
}

function peerOf(socket: net.Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}
