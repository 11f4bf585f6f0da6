/**
 * The phone's side of one CAPF connection: TLS to the server (the certificate is checked by the caller
 * against the ITL, not by a CA store), then whole messages in and out. Every wait has a timeout.
 */
import * as tls from 'node:tls';
import { CapfMessage, encodeMessage } from '../capf/protocol/codec';
import { DEFAULT_MAX_MESSAGE_SIZE, commandName } from '../capf/protocol/constants';
import { FramedMessage, MessageFramer } from '../capf/protocol/framer';

export interface ConnectOptions {
  host: string;
  port: number;
  timeoutMs: number;
  signal?: AbortSignal;
  minVersion?: tls.SecureVersion;
  maxMessageSize?: number;
  trace?: (direction: 'phone→server' | 'server→phone', command: string, bytes: Buffer) => void;
}

export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const contexts = new Map<string, tls.SecureContext>();

/**
 * One client TLS context per minimum version, shared by every connection (the phone checks the server
 * certificate itself, against the ITL, so the context holds no trust store). Building a context per
 * connection would cost more than the handshake's own crypto.
 */
export function clientSecureContext(minVersion: tls.SecureVersion = 'TLSv1.2'): tls.SecureContext {
  let c = contexts.get(minVersion);
  if (!c) {
    c = tls.createSecureContext({ minVersion });
    contexts.set(minVersion, c);
  }
  return c;
}

export class CapfConnection {
  private readonly framer: MessageFramer;
  private readonly inbox: FramedMessage[] = [];
  private waiter: { resolve: (m: FramedMessage) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | (() => Error) | undefined;
  /** messages held by holdWritesThisTurn, written together when the turn ends */
  private held: Buffer[] | undefined;
  /**
   * One timer per connection for the waits of `next`, restarted (refresh) by each wait rather than made anew:
   * it may still run after a message has come, and then finds nobody waiting. Cleared when the connection ends.
   */
  private responseTimer: NodeJS.Timeout | undefined;
  private responseTimerMs = 0;

  private constructor(
    private readonly socket: tls.TLSSocket,
    private readonly o: ConnectOptions,
  ) {
    this.framer = new MessageFramer(o.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE);
    socket.on('data', (chunk: Buffer) => {
      const out = this.framer.push(chunk);
      for (const m of out.messages) {
        o.trace?.('server→phone', commandName(m.message.command), m.raw);
        this.deliver(m);
      }
      if (out.error) this.fail(new ConnectionError(`the server sent a malformed message: ${out.error.message}`, out.error.code));
    });
    socket.on('error', (e: Error) => this.fail(new ConnectionError(`connection error: ${e.message}`, 'socket-error')));
    // every session ends with a close: its error (and stack trace) is made only if someone still waits
    socket.on('close', () => this.fail(() => new ConnectionError('the server closed the connection', 'closed')));
  }

  /** Resolves once TLS is up; rejects on refusal, TLS failure, timeout or abort. */
  static connect(o: ConnectOptions): Promise<CapfConnection> {
    return new Promise((resolve, reject) => {
      if (o.signal?.aborted) return reject(abortError());
      // noDelay: REQUEST_IN_PROGRESS and KEYGEN_RESP go out back to back; Nagle would hold the second one
      // until the server (which does not answer the first) acknowledges it.
      const socket = tls.connect({ host: o.host, port: o.port, rejectUnauthorized: false, secureContext: clientSecureContext(o.minVersion) });
      socket.setNoDelay(true);
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        f();
      };
      const onAbort = () => settle(() => (socket.destroy(), reject(abortError())));
      const timer = setTimeout(() => settle(() => (socket.destroy(), reject(new ConnectionError(`no TLS session with ${o.host}:${o.port} within ${o.timeoutMs} ms`, 'timeout')))), o.timeoutMs);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('secureConnect', () => settle(() => resolve(new CapfConnection(socket, o))));
      socket.once('error', (e: NodeJS.ErrnoException) => settle(() => (socket.destroy(), reject(new ConnectionError(`cannot connect to ${o.host}:${o.port}: ${e.code ?? ''} ${e.message}`.trim(), e.code ?? 'error')))));
    });
  }

  /**
   * The DER of the certificate the server presented in the TLS handshake. (Through X509Certificate: the
   * legacy getPeerCertificate() object spells out every field and costs several times more.)
   */
  get peerCertificateDer(): Buffer | undefined {
    return this.socket.getPeerX509Certificate()?.raw;
  }

  send(m: CapfMessage): void {
    if (this.failure) return;
    const bytes = encodeMessage(m);
    this.o.trace?.('phone→server', commandName(m.command), bytes);
    if (this.held) this.held.push(bytes);
    else this.socket.write(bytes);
  }

  /**
   * Holds writes until the event loop's next turn, so that the messages sent in this turn and in the
   * microtasks that follow it leave together in one TLS record: REQUEST_IN_PROGRESS and, when the key is
   * ready at once (pre-generated keys), KEYGEN_RESP. A key that takes longer does not delay the first.
   * The held messages go out as one buffer in one write: a corked socket would hand them to TLS as a
   * vector write, which costs the phone more than the copy.
   */
  holdWritesThisTurn(): void {
    if (this.held || this.failure) return;
    this.held = [];
    setImmediate(() => this.writeHeld());
  }

  private writeHeld(): void {
    const held = this.held;
    this.held = undefined;
    if (!held?.length || this.failure) return;
    this.socket.write(held.length === 1 ? held[0] : Buffer.concat(held));
  }

  /** The next message; rejects when the connection fails or nothing arrives within `timeoutMs`. */
  next(timeoutMs: number): Promise<FramedMessage> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failureError());
    if (this.o.signal?.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const signal = this.o.signal;
      if (!signal) {
        this.waiter = { resolve, reject };
      } else {
        const onAbort = () => {
          this.stopResponseTimer();
          this.waiter = undefined;
          reject(abortError());
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiter = {
          resolve: (m) => (signal.removeEventListener('abort', onAbort), resolve(m)),
          reject: (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
        };
      }
      this.startResponseTimer(timeoutMs);
    });
  }

  /** Clears the response timer for good: a cleared Node timer cannot be refreshed, so the next wait makes a new one. */
  private stopResponseTimer(): void {
    clearTimeout(this.responseTimer);
    this.responseTimer = undefined;
  }

  private startResponseTimer(ms: number): void {
    if (this.responseTimer && this.responseTimerMs === ms) {
      this.responseTimer.refresh();
      return;
    }
    this.stopResponseTimer();
    this.responseTimerMs = ms;
    this.responseTimer = setTimeout(() => {
      const w = this.waiter;
      this.waiter = undefined;
      w?.reject(new ConnectionError(`no message from the server within ${ms} ms`, 'timeout'));
    }, ms);
  }

  close(): void {
    this.stopResponseTimer();
    this.writeHeld();
    this.socket.end();
    // a server that never closes its side is dropped after 2 s (the socket's timer ends with the socket)
    this.socket.setTimeout(2000, () => this.socket.destroy());
  }

  destroy(): void {
    this.stopResponseTimer();
    this.socket.destroy();
  }

  private deliver(m: FramedMessage): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve(m);
    } else this.inbox.push(m);
  }

  private fail(e: Error | (() => Error)): void {
    if (this.failure) return;
    this.failure = e;
    this.stopResponseTimer();
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w.reject(this.failureError());
  }

  private failureError(): Error {
    if (typeof this.failure === 'function') this.failure = this.failure();
    return this.failure as Error;
  }
}

export function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}
