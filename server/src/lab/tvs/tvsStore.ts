/**
 * The lab TVS's store: which certificates it vouches for, with which roles and for how long, as tvsctl keeps
 * them [F tvsctl: certificate, roles, TTL; keyed by SHA-256 of the DER; adding a known certificate
 * replaces its roles and TTL]. One small JSON file, `<lab>/tvs/tvs-store.json`, written atomically by the
 * CLI (`itl-lens tvs add|remove`) and only read by the server:
 *
 *   { "version": 1, "certificates": [ { "sha256", "subject", "issuer", "serialNumber", "roles": ["TFTP"], "ttl": 86400, "pem" } ] }
 *
 * The entry's key is the SHA-256 of its PEM's DER, computed on load: a hand-edited "sha256" that does not
 * match is reported and the entry left out.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { findPemBlocks, looksLikePem, toPem } from '../../core/cert/pem';
import { writeFileAtomicAsync } from '../../core/fs/atomicWriteAsync';
import { ROLE_SHORT_NAMES, roleFromName } from '../../core/tlv/tags';

export const TVS_STORE_FILE = 'tvs-store.json';
/** tvsctl's TTL bounds and default (its code; its help text says 3600) [F tvsctl]. */
export const TVS_TTL = { min: 1, max: 2_592_000, default: 86_400 } as const;
/** The roles tvsd answers with [F tvsd]: SAST, CCM, CCM+TFTP, TFTP, CAPF, APP-SERVER, TVS. */
export const TVS_ROLE_CODES = [0, 1, 2, 3, 4, 7, 21] as const;

export interface TvsStoreEntry {
  sha256: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  /** role names as tvsctl writes them (ROLE_SHORT_NAMES) */
  roles: string[];
  ttl: number;
  pem: string;
}

export interface TvsStoreFile {
  version: 1;
  certificates: TvsStoreEntry[];
}

export interface LoadedStore {
  entries: Map<string, TvsStoreEntry & { der: Buffer; roleCodes: number[] }>;
  problems: string[];
}

export function sha256Hex(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** A role name (SAST, CCM, CCM+TFTP, TFTP, CAPF, APP-SERVER, TVS; any case; or its code) → its code. */
export function tvsRoleCode(name: string): number | undefined {
  const code = roleFromName(name);
  return code !== undefined && (TVS_ROLE_CODES as readonly number[]).includes(code) ? code : undefined;
}

export function ttlProblem(ttl: number): string | undefined {
  if (!Number.isInteger(ttl) || ttl < TVS_TTL.min || ttl > TVS_TTL.max) return `a TTL must be a whole number of seconds from ${TVS_TTL.min} to ${TVS_TTL.max} (30 days)`;
  return undefined;
}

/** Every certificate in a PEM bundle (one or many blocks) or a DER file, as DER. */
export function certificatesIn(bytes: Buffer): { ders: Buffer[]; problems: string[] } {
  const ders: Buffer[] = [];
  const problems: string[] = [];
  const blocks = looksLikePem(bytes) ? findPemBlocks(bytes.toString('latin1')).filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE') : [];
  const candidates = looksLikePem(bytes) ? blocks.map((b) => ({ der: b.der, where: `the PEM block on line ${b.startLine + 1}` })) : [{ der: bytes, where: 'the DER file' }];
  for (const c of candidates) {
    try {
      ders.push(new X509Certificate(c.der).raw);
    } catch (e) {
      problems.push(`${c.where} is not a certificate: ${(e as Error).message}`);
    }
  }
  if (candidates.length === 0) problems.push('no CERTIFICATE block in the PEM text');
  return { ders, problems };
}

function entryFor(der: Buffer, roles: string[], ttl: number): TvsStoreEntry {
  const x = new X509Certificate(der);
  return {
    sha256: sha256Hex(der),
    subject: x.subject.split('\n').join(';'),
    issuer: x.issuer.split('\n').join(';'),
    serialNumber: x.serialNumber.toLowerCase(),
    roles,
    ttl,
    pem: toPem('CERTIFICATE', der),
  };
}

/** Reads the store; a missing file is an empty store. Bad entries are left out with a problem each; a file that is not the store's JSON throws. */
export async function loadTvsStore(file: string): Promise<LoadedStore> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: new Map(), problems: [] };
    throw e;
  }
  return parseTvsStore(text, file);
}

export function parseTvsStore(text: string, file = TVS_STORE_FILE): LoadedStore {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON: ${(e as Error).message}`);
  }
  const list = (json as TvsStoreFile | null)?.certificates;
  if (typeof json !== 'object' || json === null || (json as TvsStoreFile).version !== 1 || !Array.isArray(list)) throw new Error(`${file} is not a TVS store (version 1 with a "certificates" list)`);
  const entries: LoadedStore['entries'] = new Map();
  const problems: string[] = [];
  list.forEach((raw, i) => {
    const where = `${file}: certificates[${i}]`;
    const e = raw as Partial<TvsStoreEntry>;
    if (typeof e !== 'object' || e === null || typeof e.pem !== 'string') return problems.push(`${where} has no "pem"`);
    const found = certificatesIn(Buffer.from(e.pem, 'latin1'));
    if (found.ders.length !== 1) return problems.push(`${where}: "pem" must hold exactly one certificate${found.problems.length ? ` (${found.problems[0]})` : ''}`);
    const der = found.ders[0];
    const sha256 = sha256Hex(der);
    if (e.sha256 !== undefined && String(e.sha256).toLowerCase() !== sha256) return problems.push(`${where}: "sha256" ${e.sha256} is not the SHA-256 of its certificate (${sha256})`);
    if (!Array.isArray(e.roles) || e.roles.length === 0) return problems.push(`${where} has no "roles"`);
    const roleCodes = e.roles.map((r) => tvsRoleCode(String(r)));
    if (roleCodes.some((c) => c === undefined)) return problems.push(`${where}: unknown role in ${JSON.stringify(e.roles)} (known: ${TVS_ROLE_CODES.map((c) => ROLE_SHORT_NAMES[c]).join(', ')})`);
    const ttl = e.ttl ?? TVS_TTL.default;
    const tp = ttlProblem(ttl);
    if (tp) return problems.push(`${where}: ${tp}`);
    entries.set(sha256, { ...entryFor(der, e.roles.map(String), ttl), der, roleCodes: roleCodes as number[] });
    return undefined;
  });
  return { entries, problems };
}

async function writeStore(file: string, entries: TvsStoreEntry[]): Promise<void> {
  const body: TvsStoreFile = { version: 1, certificates: [...entries].sort((a, b) => a.subject.localeCompare(b.subject) || a.sha256.localeCompare(b.sha256)) };
  await writeFileAtomicAsync(file, `${JSON.stringify(body, null, 2)}\n`);
}

function plain(e: TvsStoreEntry): TvsStoreEntry {
  return { sha256: e.sha256, subject: e.subject, issuer: e.issuer, serialNumber: e.serialNumber, roles: e.roles, ttl: e.ttl, pem: e.pem };
}

export interface AddResult {
  added: TvsStoreEntry[];
  /** certificates already there: their roles and TTL replaced */
  updated: TvsStoreEntry[];
}

/** Adds (or replaces the roles and TTL of) each certificate. Refuses a store with bad entries rather than drop them. */
export async function addToTvsStore(file: string, ders: Buffer[], roleNames: string[], ttl: number = TVS_TTL.default): Promise<AddResult> {
  const tp = ttlProblem(ttl);
  if (tp) throw new Error(tp);
  if (roleNames.length === 0) throw new Error('name at least one role');
  const codes = roleNames.map((r) => {
    const c = tvsRoleCode(r);
    if (c === undefined) throw new Error(`unknown role '${r}' (known: ${TVS_ROLE_CODES.map((x) => ROLE_SHORT_NAMES[x]).join(', ')})`);
    return c;
  });
  const roles = [...new Set(codes)].sort((a, b) => TVS_ROLE_CODES.indexOf(a as never) - TVS_ROLE_CODES.indexOf(b as never)).map((c) => ROLE_SHORT_NAMES[c]);
  const store = await editableStore(file);
  const result: AddResult = { added: [], updated: [] };
  for (const der of ders) {
    const e = entryFor(der, roles, ttl);
    (store.has(e.sha256) ? result.updated : result.added).push(e);
    store.set(e.sha256, e);
  }
  await writeStore(file, [...store.values()]);
  return result;
}

/** Removes the certificates whose SHA-256 is `hashOrPrefix` (a unique prefix, as tvsctl takes) or one of `ders`. */
export async function removeFromTvsStore(file: string, what: { hashPrefix: string } | { ders: Buffer[] }): Promise<TvsStoreEntry[]> {
  const store = await editableStore(file);
  let keys: string[];
  if ('hashPrefix' in what) {
    const p = what.hashPrefix.toLowerCase().replace(/:/g, '');
    if (!/^[0-9a-f]{4,64}$/.test(p)) throw new Error(`'${what.hashPrefix}' is not a SHA-256 (or at least its first 4 hex digits)`);
    keys = [...store.keys()].filter((k) => k.startsWith(p));
    if (keys.length > 1) throw new Error(`${what.hashPrefix} matches ${keys.length} certificates: give more digits`);
  } else keys = what.ders.map(sha256Hex).filter((k) => store.has(k));
  const removed = keys.map((k) => store.get(k)!);
  for (const k of keys) store.delete(k);
  if (removed.length > 0) await writeStore(file, [...store.values()]);
  return removed;
}

async function editableStore(file: string): Promise<Map<string, TvsStoreEntry>> {
  const loaded = await loadTvsStore(file);
  if (loaded.problems.length > 0) throw new Error(`${file} has entries that cannot be read; fix or remove them first:\n  ${loaded.problems.join('\n  ')}`);
  return new Map([...loaded.entries].map(([k, v]) => [k, plain(v)]));
}

/**
 * The store as the server reads it: looked at on every request (one stat) and read again only when the file
 * changed, so `itl-lens tvs add|remove` takes effect at the next request without a restart. A store that
 * cannot be read keeps the last good one in use; each new fault is reported once.
 */
export class TvsStoreReader {
  private cached: LoadedStore = { entries: new Map(), problems: [] };
  private stamp = '';
  private loading: { stamp: string; done: Promise<LoadedStore> } | undefined;

  constructor(
    readonly file: string,
    private readonly report: (problem: string) => void,
  ) {}

  async current(): Promise<LoadedStore> {
    let stamp: string;
    try {
      const st = await fsp.stat(this.file);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch (e) {
      stamp = (e as NodeJS.ErrnoException).code ?? 'error';
    }
    if (stamp === this.stamp) return this.cached;
    if (this.loading?.stamp === stamp) return this.loading.done;
    const done = (async () => {
      try {
        const loaded = await loadTvsStore(this.file);
        for (const p of loaded.problems) this.report(p);
        this.cached = loaded;
      } catch (e) {
        this.report(`${(e as Error).message}; answering from the store as it was before`);
      }
      this.stamp = stamp;
      return this.cached;
    })();
    this.loading = { stamp, done };
    return done;
  }
}
