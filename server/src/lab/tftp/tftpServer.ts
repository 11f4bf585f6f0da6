/**
 * The lab TFTP server: read-only RFC 1350 with options (RFC 2347/2348/2349), serving the files under one
 * root folder. 127.0.0.1 by default, on a high port (69 needs root). Each read runs on its own UDP socket
 * (tftpTransfer.ts); requests are refused with an ERROR packet from the listening port: write requests
 * (access violation: the lab never takes files from phones), names that leave the root (tftpPath.ts),
 * missing files ("File not found", code 1, what phones see for the optional files a cluster lacks), and
 * requests past the per-address or total transfer limits. Garbage is answered with ERROR 4 or dropped,
 * never with a crash, and never disturbs other transfers.
 *
 * Modes (RFC 1350): octet as is; netascii translated (LF → CR LF, CR → CR NUL) so a netascii client that
 * translates back stores exactly the file's bytes — serving octet bytes as netascii would let such a client
 * corrupt a binary .tlv, and refusing would break `tftp` clients whose default mode is netascii
 * (tftp-hpa's is); mail is refused (RFC 1123 4.2.2.1: SHOULD NOT be supported; RFC 1350: obsolete).
 */
import * as dgram from 'node:dgram';
import { promises as fsp } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Clock } from '../../core/time/clock';
import { DEFAULT_PER_ADDRESS_LIMIT, PerAddressLimit } from '../../core/net/perAddressLimit';
import { LogListeners } from '../logListeners';
import { negotiateOptions } from './tftpOptions';
import { DEFAULT_MAX_FILE_SIZE, readServedFile } from './tftpPath';
import { decodePacket, encodeError, MAX_BLOCK_SIZE, OPCODE, RequestPacket, TFTP_ERROR, toNetascii } from './tftpPackets';
import { ReadTransfer, TransferOutcome } from './tftpTransfer';

export const DEFAULT_TFTP_HOST = '127.0.0.1';
/** Not 69 (a privileged port): the lab's default, which phones reach only when told (docs/lab-servers.md). */
export const DEFAULT_TFTP_PORT = 6969;
export const DEFAULT_RETRANSMIT_MS = 1000;
export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_MAX_TRANSFERS = 256;

export type TftpEvent =
  | 'server-start'
  | 'server-stop'
  | 'transfer-start'
  | 'transfer-done'
  | 'transfer-failed'
  | 'transfer-gave-up'
  | 'request-refused'
  | 'write-refused'
  | 'malformed';

export interface TftpLogEntry {
  time: string;
  event: TftpEvent;
  message: string;
  peer?: string;
  file?: string;
}

export interface TftpServerOptions {
  /** the folder served; must exist */
  root: string;
  host?: string;
  /** default 6969; 0 picks a free port */
  port?: number;
  /** wait for an ACK before sending again; a client's timeout option (seconds) replaces it for its transfer */
  retransmitMs?: number;
  /** resends in a row without an ACK before a transfer gives up */
  maxRetries?: number;
  /** concurrent transfers per client address (default 16) */
  perAddressLimit?: number;
  /** concurrent transfers in all */
  maxTransfers?: number;
  maxBlksize?: number;
  maxFileSize?: number;
  clock?: Clock;
}

export interface TftpServerAddress {
  host: string;
  port: number;
}

interface Active {
  transfer?: ReadTransfer;
  socket?: dgram.Socket;
}

export class TftpServer {
  private readonly logs: LogListeners<TftpLogEntry>;
  private readonly active = new Map<string, Active>();
  private readonly perAddress: PerAddressLimit;
  private readonly pending = new Set<Promise<void>>();
  private stopping: Promise<void> | undefined;
  /** transfers started since start */
  transferCount = 0;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly rootReal: string,
    readonly address: TftpServerAddress,
    private readonly o: TftpServerOptions,
  ) {
    this.perAddress = new PerAddressLimit(o.perAddressLimit ?? DEFAULT_PER_ADDRESS_LIMIT);
    this.logs = new LogListeners(o.clock);
  }

  static async start(o: TftpServerOptions): Promise<TftpServer> {
    const host = o.host ?? DEFAULT_TFTP_HOST;
    const port = o.port ?? DEFAULT_TFTP_PORT;
    let rootReal: string;
    try {
      rootReal = await fsp.realpath(path.resolve(o.root));
      if (!(await fsp.stat(rootReal)).isDirectory()) throw new Error('not a folder');
    } catch (e) {
      throw new Error(`cannot serve ${o.root}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (e as Error).message}`);
    }
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        socket.close();
        const why = e.code === 'EADDRINUSE' ? 'the port is in use (another TFTP server?)' : e.code === 'EADDRNOTAVAIL' ? 'no such local address' : e.code === 'EACCES' ? 'permission denied (ports under 1024 need root)' : e.message;
        reject(new Error(`cannot listen on ${host}:${port}: ${why}`));
      };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    const a = socket.address();
    const server = new TftpServer(socket, rootReal, { host: a.address, port: a.port }, o);
    socket.on('message', (msg, rinfo) => server.onRequest(msg, rinfo));
    socket.on('error', (e) => server.log({ event: 'malformed', message: `listener error: ${e.message}` }));
    server.log({ event: 'server-start', message: `TFTP server listening on ${a.address}:${a.port}, serving ${rootReal} (read-only)` });
    return server;
  }

  onLog(listener: (e: TftpLogEntry) => void): () => void {
    return this.logs.add(listener);
  }

  get activeTransfers(): number {
    return this.active.size;
  }

  /** Stops listening and ends the transfers under way (their clients get an ERROR). Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await new Promise<void>((resolve) => this.socket.close(() => resolve()));
      for (const a of this.active.values()) a.transfer?.abort('The TFTP server is stopping');
      while (this.pending.size > 0) await Promise.all([...this.pending]);
      this.log({ event: 'server-stop', message: `TFTP server on ${this.address.host}:${this.address.port} stopped after ${this.transferCount} transfer(s)` });
    })();
    return this.stopping;
  }

  private log(e: Omit<TftpLogEntry, 'time'>): void {
    this.logs.emit(e);
  }

  private reply(rinfo: dgram.RemoteInfo, code: number, message: string): void {
    if (this.stopping) return;
    try {
      this.socket.send(encodeError(code, message), rinfo.port, rinfo.address);
    } catch {
      // closed while stopping
    }
  }

  private onRequest(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const peer = `${rinfo.address}:${rinfo.port}`;
    try {
      const d = decodePacket(msg);
      if (!d.ok) {
        this.log({ event: 'malformed', peer, message: `malformed datagram (${msg.length} bytes): ${d.problem}` });
        // an unparseable request or an unknown opcode gets ERROR 4; a runt without an opcode is dropped
        if (d.opcode !== undefined && d.opcode !== OPCODE.ERROR) this.reply(rinfo, TFTP_ERROR.ILLEGAL_OPERATION, 'Illegal TFTP operation');
        return;
      }
      const p = d.packet;
      if (p.op === OPCODE.WRQ) {
        this.log({ event: 'write-refused', peer, file: printable(p.filename), message: `write request for "${printable(p.filename)}" refused: this lab TFTP server is read-only` });
        this.reply(rinfo, TFTP_ERROR.ACCESS_VIOLATION, 'Access violation: this TFTP server is read-only');
        return;
      }
      if (p.op === OPCODE.RRQ) {
        this.startRead(p, rinfo);
        return;
      }
      if (p.op === OPCODE.ERROR) return; // never answer an ERROR (RFC 1350: not acknowledged)
      this.log({ event: 'malformed', peer, message: `opcode ${p.op} sent to the listening port, where only requests go` });
      this.reply(rinfo, TFTP_ERROR.UNKNOWN_TID, 'Unknown transfer ID');
    } catch (e) {
      this.log({ event: 'malformed', peer, message: `request dropped: ${(e as Error).message}` });
    }
  }

  private refuse(rinfo: dgram.RemoteInfo, file: string, code: number, message: string, why: string): void {
    this.log({ event: 'request-refused', peer: `${rinfo.address}:${rinfo.port}`, file, message: `read request for "${file}" refused (TFTP error ${code} "${message}"): ${why}` });
    this.reply(rinfo, code, message);
  }

  private startRead(req: RequestPacket, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    const file = printable(req.filename);
    if (this.stopping) return;
    if (this.active.has(key)) return; // the client repeated its request: the transfer under way answers it
    if (req.mode !== 'octet' && req.mode !== 'netascii') {
      const why = req.mode === 'mail' ? 'mail mode is obsolete (RFC 1350)' : `unknown transfer mode '${printable(req.mode)}'`;
      this.refuse(rinfo, file, TFTP_ERROR.ILLEGAL_OPERATION, `Illegal TFTP operation: ${why}; use octet`, why);
      return;
    }
    const max = this.o.maxTransfers ?? DEFAULT_MAX_TRANSFERS;
    if (this.active.size >= max) {
      this.refuse(rinfo, file, TFTP_ERROR.NOT_DEFINED, 'Server busy: too many transfers, try again later', `${max} transfers under way (the total limit)`);
      return;
    }
    const release = this.perAddress.acquire(rinfo.address);
    if (!release) {
      this.refuse(rinfo, file, TFTP_ERROR.NOT_DEFINED, 'Too many transfers from your address, try again later', `${this.perAddress.max} transfers under way from ${rinfo.address} (the per-address limit)`);
      return;
    }
    const slot: Active = {};
    this.active.set(key, slot);
    const run = this.runRead(req, rinfo, slot, file)
      .catch((e) => this.log({ event: 'transfer-failed', peer: key, file, message: `transfer of "${file}" failed: ${(e as Error).message}` }))
      .finally(() => {
        release();
        this.active.delete(key);
        if (!slot.transfer) {
          try {
            slot.socket?.close(); // bound but never started (the transfer closes its own)
          } catch {
            // never bound
          }
        }
        this.pending.delete(run);
      });
    this.pending.add(run);
  }

  private async runRead(req: RequestPacket, rinfo: dgram.RemoteInfo, slot: Active, file: string): Promise<void> {
    const peer = `${rinfo.address}:${rinfo.port}`;
    const served = await readServedFile(this.rootReal, req.filename, this.o.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
    if (!served.ok) {
      this.refuse(rinfo, file, served.code, served.message, served.why);
      return;
    }
    if (this.stopping) return;
    const data = req.mode === 'netascii' ? toNetascii(served.data) : served.data;
    const negotiated = negotiateOptions(req.options, data.length, Math.min(this.o.maxBlksize ?? MAX_BLOCK_SIZE, MAX_BLOCK_SIZE));
    const socket = dgram.createSocket(net.isIPv6(this.address.host) ? 'udp6' : 'udp4');
    slot.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, this.address.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const transfer = new ReadTransfer({
      socket,
      peer: { address: rinfo.address, port: rinfo.port },
      data,
      blksize: negotiated.blksize,
      oack: negotiated.oack,
      timeoutMs: negotiated.timeoutS !== undefined ? negotiated.timeoutS * 1000 : (this.o.retransmitMs ?? DEFAULT_RETRANSMIT_MS),
      maxRetries: this.o.maxRetries ?? DEFAULT_MAX_RETRIES,
    });
    slot.transfer = transfer;
    this.transferCount++;
    const opts = negotiated.oack.map((x) => `${x.name}=${x.value}`).join(' ');
    this.log({ event: 'transfer-start', peer, file, message: `sending "${file}" (${served.data.length} bytes, ${req.mode}${opts ? `, ${opts}` : ''}) from port ${socket.address().port}` });
    transfer.start();
    if (this.stopping) transfer.abort('The TFTP server is stopping');
    this.logOutcome(await transfer.done, peer, file);
  }

  private logOutcome(r: TransferOutcome, peer: string, file: string): void {
    const resent = r.retransmissions ? `, ${r.retransmissions} retransmission(s)` : '';
    if (r.ok) this.log({ event: 'transfer-done', peer, file, message: `sent "${file}": ${r.bytes} bytes in ${r.blocks} block(s)${resent}` });
    else if (r.gaveUp) this.log({ event: 'transfer-gave-up', peer, file, message: `gave up sending "${file}": ${r.reason}` });
    else this.log({ event: 'transfer-failed', peer, file, message: `transfer of "${file}" ended after ${r.blocks} block(s): ${r.reason}` });
  }
}

/** A network name as it may be shown in a log line: quotes, control and non-ASCII bytes escaped, at most 200 chars. */
function printable(s: string): string {
  const shown = s.length > 200 ? `${s.slice(0, 200)}…` : s;
  return JSON.stringify(shown).slice(1, -1);
}
