/**
 * TFTP option negotiation for a read request (RFC 2347, 2348, 2349), server side and client side.
 *
 * - Unknown options are left out of the OACK (RFC 2347: "the server should simply omit the option").
 * - blksize (RFC 2348): 8–65464; a larger request is answered with our maximum (the server "may reply
 *   with ... a smaller value"); a value under 8 or not a number is left out.
 * - tsize (RFC 2349): in a read request the client sends 0 and the server answers the size it will send.
 * - timeout (RFC 2349): 1–255 seconds, echoed when accepted; anything else is left out.
 * - An option named twice: the first counts [I: the RFCs do not say].
 */
import { DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, MAX_TIMEOUT_S, MIN_BLOCK_SIZE, MIN_TIMEOUT_S, optionNumber } from './tftpPackets';

export interface NegotiatedOptions {
  blksize: number;
  /** retransmission timeout asked for by the client, in seconds */
  timeoutS?: number;
  /** what goes into the OACK; empty: no OACK, the transfer starts with DATA 1 (RFC 1350) */
  oack: Array<{ name: string; value: string }>;
}

export function negotiateOptions(requested: ReadonlyArray<{ name: string; value: string }>, transferSize: number, maxBlksize = MAX_BLOCK_SIZE): NegotiatedOptions {
  const seen = new Set<string>();
  const out: NegotiatedOptions = { blksize: DEFAULT_BLOCK_SIZE, oack: [] };
  for (const { name, value } of requested) {
    if (seen.has(name)) continue;
    seen.add(name);
    const n = optionNumber(value);
    if (name === 'blksize') {
      if (n === undefined || n < MIN_BLOCK_SIZE) continue;
      out.blksize = Math.min(n, maxBlksize);
      out.oack.push({ name, value: String(out.blksize) });
    } else if (name === 'tsize') {
      if (n === undefined) continue;
      out.oack.push({ name, value: String(transferSize) });
    } else if (name === 'timeout') {
      if (n === undefined || n < MIN_TIMEOUT_S || n > MAX_TIMEOUT_S) continue;
      out.timeoutS = n;
      out.oack.push({ name, value: String(n) });
    }
  }
  return out;
}

export interface ClientOptionRequest {
  blksize?: number;
  tsize?: boolean;
  timeoutS?: number;
}

export type OackCheck = { ok: true; blksize: number; tsize?: number; timeoutS?: number } | { ok: false; problem: string };

/** The client's check of an OACK against what it asked: the server may only lower blksize, and may not add options. */
export function checkOack(asked: ClientOptionRequest, oack: ReadonlyArray<{ name: string; value: string }>): OackCheck {
  let blksize = DEFAULT_BLOCK_SIZE;
  let tsize: number | undefined;
  let timeoutS: number | undefined;
  for (const { name, value } of oack) {
    const n = optionNumber(value);
    if (name === 'blksize' && asked.blksize !== undefined) {
      if (n === undefined || n < MIN_BLOCK_SIZE || n > asked.blksize) return { ok: false, problem: `the server answered blksize ${value} to a request for ${asked.blksize}` };
      blksize = n;
    } else if (name === 'tsize' && asked.tsize) {
      if (n === undefined) return { ok: false, problem: `the server answered tsize '${value}'` };
      tsize = n;
    } else if (name === 'timeout' && asked.timeoutS !== undefined) {
      if (n !== asked.timeoutS) return { ok: false, problem: `the server answered timeout ${value} to a request for ${asked.timeoutS}` };
      timeoutS = n;
    } else return { ok: false, problem: `the server's OACK has option '${name}', which was not asked for` };
  }
  return { ok: true, blksize, tsize, timeoutS };
}
