/**
 * The lab TVS server: TLS (default 127.0.0.1:2445), presenting the lab's TVS certificate and asking for no
 * client certificate [F tvsd: CERT_NONE]. A phone sends VERIFY_REQUEST {DEVICE_NAME, CERTIFICATE}; the server
 * looks the certificate up by the SHA-256 of its DER in the TVS store (tvsStore.ts, read again whenever it
 * changes) and answers VERIFY_RESPONSE: STATUS valid with ROLES and TTL, or STATUS invalid [F tvsd].
 *
 * As tvsd, anything malformed (wrong protocol id or version, another command, an unknown or cut element, a
 * device name not `CP-nnnn-SEP<12 hex>`, no certificate, a session id that changes) ends that connection
 * without an answer, with a log line; the server keeps serving. Unlike tvsd, which answers one request per
 * connection, several requests may follow on one connection [I: more lenient; a phone that sends one and
 * closes sees no difference]. Connections are capped per address (PerAddressLimit) and in all, and time out
 * in the TLS handshake and when idle.
 */
import { X509Certificate } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Issuer } from '../capf/service/issuer';
import { DEFAULT_PER_ADDRESS_LIMIT, PerAddressLimit } from '../../core/net/perAddressLimit';
import { ROLE_SHORT_NAMES } from '../../core/tlv/tags';
import { Clock } from '../../core/time/clock';
import { LogListeners } from '../logListeners';
import { encodeVerifyResponse, parseVerifyRequest, TVS_PORT, TvsFramer, TvsMessage, VerifyResponse } from './tvsProtocol';
import { sha256Hex, TvsStoreReader } from './tvsStore';

export const DEFAULT_TVS_HOST = '127.0.0.1';
export const DEFAULT_TVS_IDLE_MS = 10_000;
export const DEFAULT_TVS_HANDSHAKE_MS = 10_000;
export const DEFAULT_TVS_MAX_CONNECTIONS = 1000;

export type TvsEvent = 'server-start' | 'server-stop' | 'verify' | 'malformed' | 'tls-error' | 'connection-refused' | 'timeout' | 'store';

export interface TvsLogEntry {
  time: string;
  event: TvsEvent;
  message: string;
  peer?: string;
  device?: string;
}

export interface TvsServerOptions {
  /** the TVS certificate and key presented over TLS */
  identity: Issuer;
  /** the store file (tvs-store.json) */
  storeFile: string;
  host?: string;
  /** default 2445; 0 picks a free port */
  port?: number;
  idleTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  perAddressLimit?: number;
  maxConnections?: number;
  /** default TLSv1.2 */
  minTlsVersion?: tls.SecureVersion;
  clock?: Clock;
}

export interface TvsServerAddress {
  host: string;
  port: number;
}

export class TvsServer {
  private readonly logs: LogListeners<TvsLogEntry>;
  private readonly sockets = new Set<net.Socket>();
  private readonly perAddress: PerAddressLimit;
  private readonly store: TvsStoreReader;
  private stopping: Promise<void> | undefined;
  /** requests answered since start */
  answered = 0;

  private constructor(
    private readonly server: tls.Server,
    readonly address: TvsServerAddress,
    private readonly o: TvsServerOptions,
  ) {
    this.logs = new LogListeners(o.clock);
    this.perAddress = new PerAddressLimit(o.perAddressLimit ?? DEFAULT_PER_ADDRESS_LIMIT);
    this.store = new TvsStoreReader(o.storeFile, (problem) => this.log({ event: 'store', message: problem }));
  }

  static async start(o: TvsServerOptions): Promise<TvsServer> {
    const host = o.host ?? DEFAULT_TVS_HOST;
    const port = o.port ?? TVS_PORT;
    const server = tls.createServer({
      cert: o.identity.pem,
      key: o.identity.key.export({ format: 'pem', type: 'pkcs8' }) as string,
      minVersion: o.minTlsVersion ?? 'TLSv1.2',
      requestCert: false,
      handshakeTimeout: o.handshakeTimeoutMs ?? DEFAULT_TVS_HANDSHAKE_MS,
    });
    server.maxConnections = o.maxConnections ?? DEFAULT_TVS_MAX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        const why = e.code === 'EADDRINUSE' ? 'the port is in use (another TVS server?)' : e.code === 'EADDRNOTAVAIL' ? 'no such local address' : e.code === 'EACCES' ? 'permission denied' : e.message;
        reject(new Error(`cannot listen on ${host}:${port}: ${why}`));
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const a = server.address() as net.AddressInfo;
    const tvs = new TvsServer(server, { host: a.address, port: a.port }, o);
    tvs.wire();
    await tvs.store.current(); // reports a broken store at start, not at the first phone
    tvs.log({ event: 'server-start', message: `TVS server listening on ${a.address}:${a.port} with ${o.identity.cert.subject.rfc4514}, store ${o.storeFile}` });
    return tvs;
  }

  onLog(listener: (e: TvsLogEntry) => void): () => void {
    return this.logs.add(listener);
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Stops listening and closes open connections. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const s of this.sockets) s.destroy();
      await closed;
      this.log({ event: 'server-stop', message: `TVS server on ${this.address.host}:${this.address.port} stopped after ${this.answered} answer(s)` });
    })();
    return this.stopping;
  }

  private log(e: Omit<TvsLogEntry, 'time'>): void {
    this.logs.emit(e);
  }

  private wire(): void {
    const s = this.server;
    s.on('connection', (socket: net.Socket) => {
      const peer = peerOf(socket);
      socket.on('error', () => undefined); // handshake-stage errors are reported by tlsClientError
      const release = this.perAddress.acquire(socket.remoteAddress ?? '?');
      if (!release || this.stopping) {
        if (!this.stopping) this.log({ event: 'connection-refused', peer, message: `${this.perAddress.max} connections from ${socket.remoteAddress} already open (the per-address limit): connection refused` });
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => {
        release();
        this.sockets.delete(socket);
      });
    });
    s.on('secureConnection', (socket: tls.TLSSocket) => this.guard(() => this.serve(socket)));
    s.on('tlsClientError', (err: Error, socket: tls.TLSSocket) =>
      this.guard(() => {
        this.log({ event: 'tls-error', peer: peerOf(socket), message: `TLS handshake failed: ${err.message}` });
        socket.destroy();
      }),
    );
    s.on('drop', (data?: { remoteAddress?: string; remotePort?: number }) =>
      this.guard(() => this.log({ event: 'connection-refused', peer: data ? `${data.remoteAddress}:${data.remotePort}` : undefined, message: `connection limit (${s.maxConnections}) reached: connection refused` })),
    );
    s.on('error', (err: Error) => this.guard(() => this.log({ event: 'malformed', message: `listener error: ${err.message}` })));
  }

  private serve(socket: tls.TLSSocket): void {
    const peer = peerOf(socket);
    const idleMs = this.o.idleTimeoutMs ?? DEFAULT_TVS_IDLE_MS;
    const framer = new TvsFramer();
    let sessionId: number | undefined;
    let queue = Promise.resolve();
    let ended = false;
    /** when the bytes of a message not yet complete began to arrive (0: none pending) */
    let partialSince = 0;
    const end = (event: TvsEvent, message: string, device?: string) => {
      if (ended) return;
      ended = true;
      this.log({ event, peer, device, message });
      socket.destroy();
    };
    socket.setNoDelay(true);
    socket.setTimeout(idleMs, () => end('timeout', `no request for ${idleMs} ms: connection closed`));
    socket.on('data', (chunk: Buffer) =>
      this.guard(() => {
        if (ended) return;
        const out = framer.push(chunk);
        for (const m of out.messages) {
          if (sessionId === undefined) sessionId = m.sessionId;
          else if (m.sessionId !== sessionId) return end('malformed', `session id ${m.sessionId} after ${sessionId} on one connection: connection closed`);
          queue = queue.then(() => this.answer(m, socket, peer, end)).catch((e) => end('malformed', `internal error contained: ${(e as Error).message}`));
        }
        if (out.problem) return end('malformed', `malformed TVS message: ${out.problem}: connection closed`);
        // every byte resets the socket's idle timer: a message trickled a byte at a time must still end in time
        if (framer.pending === 0) partialSince = 0;
        else if (out.messages.length || !partialSince) partialSince = Date.now();
        else if (Date.now() - partialSince > idleMs) end('timeout', `a message begun more than ${idleMs} ms ago is still not complete: connection closed`);
      }),
    );
  }

  private async answer(m: TvsMessage, socket: tls.TLSSocket, peer: string, end: (event: TvsEvent, message: string, device?: string) => void): Promise<void> {
    const req = parseVerifyRequest(m);
    if (!req.ok) return end('malformed', `malformed VERIFY_REQUEST: ${req.problem}: connection closed`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(req.value.certificate);
    } catch (e) {
      return end('malformed', `the CERTIFICATE element is not a DER certificate (${(e as Error).message}): connection closed`, req.value.deviceName);
    }
    const sha256 = sha256Hex(req.value.certificate);
    const entry = (await this.store.current()).entries.get(sha256);
    const response: VerifyResponse = entry ? { status: 'valid', roles: entry.roleCodes, ttl: entry.ttl } : { status: 'invalid', roles: [] };
    if (socket.destroyed) return;
    socket.write(encodeVerifyResponse(m.sessionId, response));
    this.answered++;
    const subject = cert.subject.split('\n').join(';');
    const what = entry ? `valid, roles ${entry.roleCodes.map((c) => ROLE_SHORT_NAMES[c] ?? c).join(',')}, TTL ${entry.ttl} s` : 'invalid (not in the TVS store)';
    this.log({ event: 'verify', peer, device: req.value.deviceName, message: `${req.value.deviceName} asked about ${subject} (SHA-256 ${sha256}): ${what}` });
  }

  /** Runs a callback so that nothing it throws can take the server down; the fault is logged. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      try {
        this.log({ event: 'malformed', message: `internal error contained: ${(e as Error)?.message ?? String(e)}` });
      } catch {
        /* nothing more can be done */
      }
    }
  }
}

function peerOf(socket: net.Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}
