/**
 * A TFTP read client (RFC 1350, options RFC 2347/2348/2349): what the emulated phone fetches its trust
 * lists and configuration with. Sends the RRQ, takes the first answer's port as the server's TID (packets
 * from any other port get ERROR 5 and are ignored), ACKs each block, re-ACKs a repeated block, and resends
 * its last packet when nothing comes within the timeout, up to `maxRetries` times in a row.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { checkOack, ClientOptionRequest } from './tftpOptions';
import { decodePacket, DEFAULT_BLOCK_SIZE, encodeAck, encodeError, encodeRequest, ERROR_NAMES, fromNetascii, OPCODE, TFTP_ERROR } from './tftpPackets';

export interface TftpGetOptions extends ClientOptionRequest {
  host: string;
  port: number;
  file: string;
  /** default octet (what phones use) */
  mode?: 'octet' | 'netascii';
  /** wait this long for the next packet before resending ours (default 1000 ms) */
  retransmitMs?: number;
  /** resends in a row before giving up (default 5) */
  maxRetries?: number;
  /** refuse files larger than this (default 64 MiB) */
  maxSize?: number;
  signal?: AbortSignal;
}

export interface TftpGetResult {
  data: Buffer;
  /** the block size used (512 unless the server accepted blksize) */
  blksize: number;
  /** the size the server announced (tsize option), when asked and answered */
  tsize?: number;
  /** whether the server answered the options with an OACK */
  negotiated: boolean;
  server: { address: string; port: number };
  retransmissions: number;
}

/** A transfer that failed; `code` is the TFTP error code when the server sent an ERROR packet. */
export class TftpError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export function tftpGet(o: TftpGetOptions): Promise<TftpGetResult> {
  const askOptions: Array<{ name: string; value: string }> = [];
  if (o.blksize !== undefined) askOptions.push({ name: 'blksize', value: String(o.blksize) });
  if (o.tsize) askOptions.push({ name: 'tsize', value: '0' });
  if (o.timeoutS !== undefined) askOptions.push({ name: 'timeout', value: String(o.timeoutS) });
  const mode = o.mode ?? 'octet';
  const retransmitMs = o.retransmitMs ?? 1000;
  const maxRetries = o.maxRetries ?? 5;
  const maxSize = o.maxSize ?? 64 * 1024 * 1024;
  const socket = dgram.createSocket(net.isIPv6(o.host) ? 'udp6' : 'udp4');

  return new Promise<TftpGetResult>((resolve, reject) => {
    let server: { address: string; port: number } | undefined;
    let last = encodeRequest(OPCODE.RRQ, o.file, mode, askOptions);
    let lastTo = { address: o.host, port: o.port };
    let expected = 1;
    let blksize = DEFAULT_BLOCK_SIZE;
    let tsize: number | undefined;
    let negotiated = false;
    let retries = 0;
    let retransmissions = 0;
    let received = 0;
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let inFlight = 0;
    const close = () => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    };

    const finish = (e?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (inFlight === 0) close(); // else the last send's callback closes it: the final ACK must get out
      if (e) reject(e);
      else {
        const raw = Buffer.concat(chunks);
        resolve({ data: mode === 'netascii' ? fromNetascii(raw) : raw, blksize, tsize, negotiated, server: server!, retransmissions });
      }
    };
    const send = (buf: Buffer, to = lastTo) => {
      try {
        inFlight++;
        socket.send(buf, to.port, to.address, () => {
          inFlight--;
          if (settled && inFlight === 0) close();
        });
      } catch {
        inFlight--; // closed: the transfer is over
      }
    };
    const sendLast = () => {
      send(last);
      clearTimeout(timer);
      timer = setTimeout(onTimeout, retransmitMs);
    };
    const onTimeout = () => {
      if (retries >= maxRetries) return finish(new TftpError(`no answer from ${o.host}:${o.port} for ${o.file} after ${retries} retransmission(s), ${retransmitMs} ms apart`));
      retries++;
      retransmissions++;
      sendLast();
    };
    const fail = (code: number, message: string, why: string) => {
      send(encodeError(code, message));
      finish(new TftpError(why));
    };
    const onAbort = () => fail(TFTP_ERROR.NOT_DEFINED, 'Transfer cancelled', 'the transfer was cancelled');

    socket.on('error', (e) => finish(new TftpError(`socket error: ${e.message}`)));
    socket.on('message', (msg, rinfo) => {
      if (settled) return;
      if (!server) {
        if (net.isIP(o.host) !== 0 && rinfo.address !== o.host) return; // not from the server we asked
        server = { address: rinfo.address, port: rinfo.port };
        lastTo = server;
      } else if (rinfo.address !== server.address || rinfo.port !== server.port) {
        send(encodeError(TFTP_ERROR.UNKNOWN_TID, 'Unknown transfer ID'), { address: rinfo.address, port: rinfo.port });
        return;
      }
      const d = decodePacket(msg);
      if (!d.ok) return fail(TFTP_ERROR.ILLEGAL_OPERATION, 'Illegal TFTP operation', `the server sent a malformed packet: ${d.problem}`);
      const p = d.packet;
      if (p.op === OPCODE.ERROR) return finish(new TftpError(`the server refused ${o.file}: TFTP error ${p.code} (${ERROR_NAMES[p.code] ?? 'unknown code'}) "${p.message}"`, p.code));
      if (p.op === OPCODE.OACK) {
        if (expected !== 1 || chunks.length > 0 || askOptions.length === 0 || negotiated) return; // a repeated OACK: our ACK 0 timer covers it
        const c = checkOack(o, p.options);
        if (!c.ok) return fail(TFTP_ERROR.OPTION_REFUSED, 'Option negotiation refused', c.problem);
        negotiated = true;
        blksize = c.blksize;
        tsize = c.tsize;
        if (tsize !== undefined && tsize > maxSize) return fail(TFTP_ERROR.DISK_FULL, 'File too large', `the server announced ${tsize} bytes, over the limit of ${maxSize}`);
        last = encodeAck(0);
        retries = 0;
        return sendLast();
      }
      if (p.op !== OPCODE.DATA) return fail(TFTP_ERROR.ILLEGAL_OPERATION, 'Illegal TFTP operation', `the server sent opcode ${p.op} during a read`);
      if (p.block === ((expected - 1) & 0xffff) && expected > 1) {
        send(encodeAck(p.block)); // our ACK was lost: the server sent the block again
        return;
      }
      if (p.block !== (expected & 0xffff)) return;
      if (p.data.length > blksize) return fail(TFTP_ERROR.ILLEGAL_OPERATION, 'Illegal TFTP operation', `block ${expected} has ${p.data.length} bytes, over the block size ${blksize}`);
      received += p.data.length;
      if (received > maxSize) return fail(TFTP_ERROR.DISK_FULL, 'File too large', `${o.file} is over the limit of ${maxSize} bytes`);
      chunks.push(p.data);
      last = encodeAck(p.block);
      retries = 0;
      expected++;
      if (p.data.length < blksize) {
        send(last);
        return finish();
      }
      sendLast();
    });
    if (o.signal?.aborted) return finish(new TftpError('the transfer was cancelled'));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    socket.bind(0, () => sendLast());
  });
}
