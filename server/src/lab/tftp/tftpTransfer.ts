/**
 * One read transfer, server side, on its own UDP socket (RFC 1350: the server's new TID), which it closes when
 * it ends. Lock-step: send a
 * block, wait for its ACK; on no ACK within the timeout the last packet goes again, up to `maxRetries`
 * times in a row, then the transfer gives up. A duplicate ACK is not answered with a resend (RFC 1123
 * 4.2.3.1, the Sorcerer's Apprentice fix). Block numbers wrap from 65535 to 0 for files of more than
 * 65535 blocks [I: RFC 1350 does not say; tftp-hpa and most servers wrap].
 */
import * as dgram from 'node:dgram';
import { decodePacket, encodeData, encodeError, encodeOack, OPCODE, TFTP_ERROR } from './tftpPackets';

export interface TransferPeer {
  address: string;
  port: number;
}

export interface ReadTransferOptions {
  socket: dgram.Socket;
  peer: TransferPeer;
  data: Buffer;
  blksize: number;
  /** options to acknowledge first (RFC 2347); empty: DATA 1 goes first */
  oack: Array<{ name: string; value: string }>;
  timeoutMs: number;
  maxRetries: number;
}

export interface TransferOutcome {
  ok: boolean;
  /** the reason a transfer that did not complete ended */
  reason?: string;
  /** true when it ended because the peer stopped answering */
  gaveUp?: boolean;
  blocks: number;
  retransmissions: number;
  bytes: number;
}

export class ReadTransfer {
  private readonly o: ReadTransferOptions;
  /** index of the packet in flight: 0 = the OACK, n = DATA n (not wrapped) */
  private current: number;
  private readonly lastBlock: number;
  private retries = 0;
  private retransmissions = 0;
  private timer: NodeJS.Timeout | undefined;
  private finish!: (o: TransferOutcome) => void;
  private finished = false;
  /** datagrams handed to the socket and not yet sent: the socket closes once they are out */
  private inFlight = 0;
  readonly done: Promise<TransferOutcome>;

  constructor(o: ReadTransferOptions) {
    this.o = o;
    this.lastBlock = Math.floor(o.data.length / o.blksize) + 1;
    this.current = o.oack.length > 0 ? 0 : 1;
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  start(): void {
    this.o.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.o.socket.on('error', (e) => this.end({ ok: false, reason: `socket error: ${e.message}` }));
    this.sendCurrent();
  }

  /** Ends the transfer now (server stopping), telling the peer. */
  abort(reason: string): void {
    this.send(encodeError(TFTP_ERROR.NOT_DEFINED, reason));
    this.end({ ok: false, reason });
  }

  private packet(n: number): Buffer {
    if (n === 0) return encodeOack(this.o.oack);
    const start = (n - 1) * this.o.blksize;
    return encodeData(n, this.o.data.subarray(start, Math.min(start + this.o.blksize, this.o.data.length)));
  }

  private send(buf: Buffer, to: TransferPeer = this.o.peer): void {
    try {
      this.inFlight++;
      this.o.socket.send(buf, to.port, to.address, () => {
        this.inFlight--;
        if (this.finished && this.inFlight === 0) this.close();
      });
    } catch {
      this.inFlight--; // socket already closed: the transfer is ending anyway
    }
  }

  private close(): void {
    try {
      this.o.socket.close();
    } catch {
      // already closed
    }
  }

  private sendCurrent(): void {
    this.send(this.packet(this.current));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onTimeout(), this.o.timeoutMs);
  }

  private onTimeout(): void {
    if (this.finished) return;
    if (this.retries >= this.o.maxRetries) {
      const what = this.current === 0 ? 'the OACK' : `block ${this.current}`;
      this.end({ ok: false, gaveUp: true, reason: `no ACK for ${what} after ${this.retries} retransmission(s), ${this.o.timeoutMs} ms apart` });
      return;
    }
    this.retries++;
    this.retransmissions++;
    this.sendCurrent();
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.finished) return;
    if (rinfo.address !== this.o.peer.address || rinfo.port !== this.o.peer.port) {
      // RFC 1350: a packet from another TID gets an error, and the transfer goes on undisturbed
      this.send(encodeError(TFTP_ERROR.UNKNOWN_TID, 'Unknown transfer ID'), { address: rinfo.address, port: rinfo.port });
      return;
    }
    const d = decodePacket(msg);
    if (!d.ok) {
      this.send(encodeError(TFTP_ERROR.ILLEGAL_OPERATION, 'Illegal TFTP operation'));
      this.end({ ok: false, reason: `the client sent a malformed packet: ${d.problem}` });
      return;
    }
    const p = d.packet;
    if (p.op === OPCODE.ACK) {
      if (p.block !== (this.current & 0xffff)) return; // an old or duplicate ACK: the timer resends if need be
      if (this.current === this.lastBlock) {
        this.end({ ok: true });
        return;
      }
      this.current++;
      this.retries = 0;
      this.sendCurrent();
      return;
    }
    if (p.op === OPCODE.ERROR) {
      this.end({ ok: false, reason: `the client ended it with ERROR ${p.code}${p.message ? ` "${p.message}"` : ''}` });
      return;
    }
    if (p.op === OPCODE.RRQ) return; // the client repeating its request to our TID: the timer resends
    this.send(encodeError(TFTP_ERROR.ILLEGAL_OPERATION, 'Illegal TFTP operation'));
    this.end({ ok: false, reason: `the client sent opcode ${p.op} during a read` });
  }

  private end(r: { ok: boolean; reason?: string; gaveUp?: boolean }): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    if (this.inFlight === 0) this.close(); // else the last send's callback closes it (an ERROR must get out first)
    const blocks = this.current === 0 ? 0 : r.ok ? this.lastBlock : this.current - 1;
    this.finish({ ...r, blocks, retransmissions: this.retransmissions, bytes: r.ok ? this.o.data.length : Math.min(this.o.data.length, blocks * this.o.blksize) });
  }
}
