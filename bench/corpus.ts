/**
 * The bench's workspace corpus: a cluster's TFTP export. Site folders of 10 phones each; every phone has its
 * per-device trust list ITLSEP<MAC>.tlv (FILENAME ITLSEP<MAC>.tlv, signed on its own, so no two files are
 * byte-identical) whose hash-only CAPF record names a CAPF certificate of its own, and that certificate beside
 * it (one in four DER, the others PEM). One CAPF certificate in ten is expired and one in ten near expiry: those
 * trust lists and certificate files carry diagnostics.
 *
 * Files are written once per size into a cache folder (ITL_LENS_BENCH_CACHE, default the OS temp folder), keyed
 * by the clock's day: generating 20,000 signed files takes longer than indexing them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildTrustList } from '../server/src/core/tlv/build';
import { toPem } from '../server/src/core/cert/pem';
import { loadFixtureKeys } from '../server/src/lab/cluster/clusterKeys';
import { CAPF_EXTENSIONS, makeCluster, referenceItlOptions, referenceRecords, selfSigned } from '../server/src/lab/cluster/referenceCluster';

const ROOT = path.join(__dirname, '..', '..');
const DAY = 86_400_000;

export interface Corpus {
  root: string;
  /** a reference-shaped ITL whose hash-only CAPF record matches a CAPF.pem beside it (no diagnostic) */
  itl: string;
  /** the same with an expired CAPF certificate (diagnostics, so the view is rendered and mapped) */
  expiredItl: string;
  trustLists: number;
  certificates: number;
}

function mac(j: number): string {
  return `SEP00A0${j.toString(16).toUpperCase().padStart(8, '0')}`.slice(3);
}

function phoneFiles(j: number): { site: string; itl: string; cert: string } {
  const site = `site-${String(Math.floor(j / 10)).padStart(4, '0')}`;
  return { site, itl: path.join(site, `ITLSEP${mac(j)}.tlv`), cert: path.join(site, j % 4 === 3 ? `CAPF-${mac(j)}.der` : `CAPF-${mac(j)}.pem`) };
}

/** Writes phones [from, to) of the corpus under `dir`. */
function writePhones(dir: string, from: number, to: number, now: Date): void {
  const keys = loadFixtureKeys(path.join(ROOT, 'test-fixtures', 'keys'));
  const cluster = makeCluster(now, keys);
  for (let j = from; j < to; j++) {
    const f = phoneFiles(j);
    fs.mkdirSync(path.join(dir, f.site), { recursive: true });
    const notAfter = j % 10 === 0 ? -2 : j % 10 === 1 ? 12 : 900;
    const capf = selfSigned({ cn: `CAPF-${j.toString(16).padStart(8, '0')}`, key: keys.capf, now, notBeforeDays: -400, notAfterDays: notAfter, extensions: CAPF_EXTENSIONS, serialSeed: `bench-${j}` });
    const options = referenceItlOptions(cluster, now, referenceRecords(cluster, capf));
    const itl = buildTrustList({ ...options, filename: path.basename(f.itl), timestamp: new Date(now.getTime() - DAY - j * 1000) });
    fs.writeFileSync(path.join(dir, f.itl), itl);
    fs.writeFileSync(path.join(dir, f.cert), f.cert.endsWith('.der') ? capf : toPem('CERTIFICATE', capf));
  }
}

/**
 * A corpus of `phones` trust lists and as many certificate files, as of `now` (its day: the fixtures' validity
 * is relative to it). The largest corpus is generated once; smaller ones are hard links to its first phones.
 */
export function corpusOf(phones: number, now: Date, largest = phones): Corpus {
  const base = process.env.ITL_LENS_BENCH_CACHE ?? path.join(os.tmpdir(), 'itl-lens-bench-corpus');
  const day = now.toISOString().slice(0, 10);
  const full = path.join(base, `${day}-all`);
  const made = path.join(full, '.phones');
  const have = fs.existsSync(made) ? Number(fs.readFileSync(made, 'utf8')) : 0;
  if (have < largest) {
    const mid = new Date(`${day}T12:00:00Z`);
    fs.mkdirSync(path.join(full, 'tree'), { recursive: true });
    writePhones(path.join(full, 'tree'), have, largest, mid);
    fs.writeFileSync(made, String(largest));
  }
  const root = path.join(base, `${day}-${phones}`);
  if (!fs.existsSync(path.join(root, '.done'))) {
    fs.rmSync(root, { recursive: true, force: true });
    for (let j = 0; j < phones; j++) {
      const f = phoneFiles(j);
      fs.mkdirSync(path.join(root, 'tree', f.site), { recursive: true });
      for (const rel of [f.itl, f.cert]) fs.linkSync(path.join(full, 'tree', rel), path.join(root, 'tree', rel));
    }
    fs.writeFileSync(path.join(root, '.done'), '');
  }
  const tree = path.join(root, 'tree');
  return { root: tree, itl: path.join(tree, phoneFiles(2).itl), expiredItl: path.join(tree, phoneFiles(0).itl), trustLists: phones, certificates: phones };
}

/** Every file of a corpus (trust lists and certificate files), sorted. */
export function corpusFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(root);
  return files.sort();
}
