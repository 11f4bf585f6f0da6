/**
 * issued/issued-lscs.pem: every LSC the server issued, oldest first, as one append-only PEM bundle. Each
 * certificate is preceded by one line of explanatory text (RFC 7468 §2 allows text between blocks) naming
 * the device, the serial and the time of issue, so the file reads as a register and opens in the decoded
 * certificate view as a bundle (one outline entry per LSC).
 *
 * Why one appended file rather than issued/<device>.pem per LSC: on this kind of machine (ext4 in a VM)
 * creating a file and renaming it into place costs the kernel 0.3–0.45 ms of CPU — more than the LSC's own
 * RSA signature — while appending a whole batch of LSCs and one fdatasync costs about 0.1 ms for the batch
 * (docs/capf-lab.md#throughput has the figures).
 *
 * Group commit (groupCommitAppender.ts): LSCs queued while a write is in flight or paced go out together in
 * the next write, followed by one fdatasync; each append's promise settles only when its bytes are durable.
 * While the server runs, an issued LSC is durable first in the device table's journal (deviceTableJournal.ts),
 * with the change that records it, and reaches the register at the table's next checkpoint.
 *
 * Crash safety: nothing written is ever rewritten. A crash during an append can leave an incomplete last
 * entry; `open` cuts it off and says so (the operation log records it). Such an entry was either never
 * acknowledged, or (cut during a checkpoint) is still in the journal, which the next server takes in,
 * registering what the register lacks.
 */
import { promises as fsp } from 'node:fs';
import { findPemBlocks, toPem } from '../../core/cert/pem';
import { GroupCommitAppender } from './groupCommitAppender';

export const LSC_REGISTER_FILE = 'issued-lscs.pem';

/** Under load, register writes start at most this often (each is one write and one fdatasync). */
export const REGISTER_COMMIT_MS = 10;

/** One LSC of the register. */
export interface RegisteredLsc {
  device: string;
  /** colon-separated upper-case hex, as the device table's lsc.serialNumber */
  serialNumber: string;
  /** ISO time of issue */
  issuedAt: string;
  der: Buffer;
}

const END_LINE = '-----END CERTIFICATE-----\n';
/** The explanatory line before each block: "# SEP001122334455 serial 5A:…:01 issued 2026-11-27T13:00:00.000Z" */
const HEADER = /^# (\S+) serial (\S+) issued (\S+)$/;
/** Enough tail to hold the last whole entry: an LSC for an RSA 4096 key is under 3 KB of PEM. */
const TAIL_BYTES = 64 * 1024;

export class LscRegister {
  private readonly out: GroupCommitAppender;

  private constructor(readonly file: string) {
    this.out = new GroupCommitAppender(file, { intervalMs: REGISTER_COMMIT_MS, dataSync: true });
  }

  /** number of physical writes (each followed by one fdatasync), for tests and the benchmark */
  get writes(): number {
    return this.out.writes;
  }

  /**
   * Opens the register (the file is created by the first append). When the file ends in an incomplete entry
   * (a crash during an append) that entry is cut off; `repaired` then says what was removed. `repairTail:
   * false` skips that: while a live CAPF server serves the lab, an incomplete tail is its append under way.
   */
  static async open(file: string, o: { repairTail?: boolean } = {}): Promise<{ register: LscRegister; repaired?: string }> {
    const register = new LscRegister(file);
    const repaired = o.repairTail === false ? undefined : await cutIncompleteTail(file);
    return { register, repaired };
  }

  /** Appends one LSC; resolves once it is on disk (fdatasync). */
  append(e: RegisteredLsc): Promise<void> {
    return this.out.append(Buffer.from(`# ${e.device} serial ${e.serialNumber} issued ${e.issuedAt}\n${toPem('CERTIFICATE', e.der)}`, 'latin1'));
  }

  /** Every LSC of the register, oldest first (entries without a readable header line are skipped). */
  async readAll(): Promise<RegisteredLsc[]> {
    await this.flush();
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: RegisteredLsc[] = [];
    for (const block of findPemBlocks(text)) {
      if (block.label !== 'CERTIFICATE' || block.unterminated || block.badBase64) continue;
      const lineStart = text.lastIndexOf('\n', block.start - 2) + 1;
      const m = HEADER.exec(text.slice(lineStart, Math.max(lineStart, block.start - 1)));
      if (m) out.push({ device: m[1], serialNumber: m[2], issuedAt: m[3], der: block.der });
    }
    return out;
  }

  /** The LSC issued to `device` with `serialNumber` (the device table's lsc.serialNumber), if registered. */
  async find(device: string, serialNumber: string): Promise<RegisteredLsc | undefined> {
    const all = await this.readAll();
    for (let i = all.length - 1; i >= 0; i--) if (all[i].device === device && all[i].serialNumber === serialNumber) return all[i];
    return undefined;
  }

  /** Resolves when every queued LSC is on disk. */
  flush(): Promise<void> {
    return this.out.flush();
  }

  /** Flushes and closes the file (the next append reopens it). */
  close(): Promise<void> {
    return this.out.close();
  }
}

/** Cuts an incomplete last entry off the register; returns what was done, or undefined when it was whole. */
async function cutIncompleteTail(file: string): Promise<string | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    const from = Math.max(0, size - TAIL_BYTES);
    const tail = Buffer.alloc(size - from);
    await handle.read(tail, 0, tail.length, from);
    const text = tail.toString('latin1');
    if (text.endsWith(END_LINE)) return undefined;
    const lastEnd = text.lastIndexOf(END_LINE);
    if (lastEnd < 0 && from > 0) {
      // no whole entry in the last 64 KB: this is not a register we wrote; leave it to the user
      throw new Error(`${file} does not end with a whole certificate and is not an LSC register this server wrote: move it away to start a new register`);
    }
    const keep = lastEnd < 0 ? 0 : from + lastEnd + END_LINE.length;
    await handle.truncate(keep);
    await handle.datasync();
    return `${file} ended in an incomplete entry (${size - keep} bytes, never acknowledged: an append was interrupted); it was cut off`;
  } finally {
    await handle.close();
  }
}
