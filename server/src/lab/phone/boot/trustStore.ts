/**
 * What a booting phone keeps between boots: the CTL and ITL it installed, and the CAPF settings of the last
 * configuration file it trusted. A real phone keeps them in flash [F reference part G: "the phone keeps its old
 * files"]; the lab keeps them in `<lab>/phones/<device>/trust/` (itl.tlv, ctl.tlv, capf.json), written
 * atomically, beside the phone's MIC and LSC (keys mode 0600, phoneIdentity.ts). The folder comes from the
 * lab's validated device name (LabState.phoneDir), never from a name the network sent.
 * "Delete the ITL on the phone" (Settings > Security > Trust List, or a Security Settings reset) = clear().
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicAsync } from '../../../core/fs/atomicWriteAsync';

/** The CAPF settings the phone took from a trusted configuration (capfList's first entry, capfAuthMode). */
export interface CapfSettings {
  host: string;
  port: number;
  /** capfAuthMode: 0 none, 1 authentication string, 2 null string, 3 LSC, 4 MIC */
  authMode: string;
  /** the configuration file they came from */
  from: string;
}

export interface HeldFiles {
  itl?: Buffer;
  ctl?: Buffer;
  capf?: CapfSettings;
}

export interface TrustStore {
  /** where it lives, for messages; undefined for a store that keeps nothing across runs */
  readonly dir?: string;
  load(): Promise<HeldFiles>;
  saveList(kind: 'ITL' | 'CTL', bytes: Buffer): Promise<void>;
  saveCapf(s: CapfSettings): Promise<void>;
  /** forgets the CTL and ITL: the next boot trusts the first ones it gets */
  clear(): Promise<void>;
}

const FILES = { ITL: 'itl.tlv', CTL: 'ctl.tlv', capf: 'capf.json' } as const;

function parseCapf(text: string): CapfSettings | undefined {
  try {
    const v = JSON.parse(text) as Partial<CapfSettings>;
    if (typeof v.host === 'string' && Number.isInteger(v.port) && typeof v.authMode === 'string' && typeof v.from === 'string') return v as CapfSettings;
  } catch {
    // a damaged file is as good as none: the next trusted configuration writes it again
  }
  return undefined;
}

/** The trust store in a phone folder's trust/ subfolder. */
export class FolderTrustStore implements TrustStore {
  readonly dir: string;

  constructor(phoneDir: string) {
    this.dir = path.join(phoneDir, 'trust');
  }

  async load(): Promise<HeldFiles> {
    const read = (f: string) => (fs.existsSync(path.join(this.dir, f)) ? fsp.readFile(path.join(this.dir, f)) : Promise.resolve(undefined));
    const [itl, ctl, capf] = await Promise.all([read(FILES.ITL), read(FILES.CTL), read(FILES.capf)]);
    return { itl, ctl, capf: capf ? parseCapf(capf.toString('utf8')) : undefined };
  }

  saveList(kind: 'ITL' | 'CTL', bytes: Buffer): Promise<void> {
    return writeFileAtomicAsync(path.join(this.dir, FILES[kind]), bytes);
  }

  saveCapf(s: CapfSettings): Promise<void> {
    return writeFileAtomicAsync(path.join(this.dir, FILES.capf), `${JSON.stringify(s, null, 2)}\n`);
  }

  async clear(): Promise<void> {
    await fsp.rm(path.join(this.dir, FILES.ITL), { force: true });
    await fsp.rm(path.join(this.dir, FILES.CTL), { force: true });
  }
}

/** A store for one run only (a phone without a lab folder). */
export class MemoryTrustStore implements TrustStore {
  readonly dir = undefined;
  private held: HeldFiles = {};

  async load(): Promise<HeldFiles> {
    return { ...this.held };
  }

  async saveList(kind: 'ITL' | 'CTL', bytes: Buffer): Promise<void> {
    this.held[kind === 'ITL' ? 'itl' : 'ctl'] = Buffer.from(bytes);
  }

  async saveCapf(s: CapfSettings): Promise<void> {
    this.held.capf = { ...s };
  }

  async clear(): Promise<void> {
    this.held = { capf: this.held.capf };
  }
}
