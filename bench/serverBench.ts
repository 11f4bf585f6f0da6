/**
 * Language-server benchmarks.
 * 1. open → diagnostics: what the server does when a trust list appears or changes (decode, verify, decode its
 *    certificates, index, run every rule, render the view, map diagnostics to view and source), as a ratio to the
 *    decode floor measured in the same run (hash the file + one RSA verify + X509Certificate over its
 *    certificates). Goal: at most 3x. The same over JSON-RPC with the built server is reported alongside.
 * 2. cold index: the built server (dist/server.js) started on a workspace of 1,000 trust lists and 1,000
 *    certificate files, until every diagnostic is published; wall time (median of 3 starts, with the ratio to a
 *    corpus floor measured in the same run) and the process's peak RSS (VmHWM). Goals: at most 3 s and 300 MB.
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileChangeType } from 'vscode-languageserver-protocol';
import { buildTrustList } from '../server/src/core/tlv/build';
import { decodeTrustList, findSigner, recordPublicKey, signedBytes } from '../server/src/core/tlv';
import { toPem } from '../server/src/core/cert/pem';
import { loadFixtureKeys } from '../server/src/fixtures/fixtureKeys';
import { CAPF_EXTENSIONS, makeCluster, selfSigned } from '../server/src/fixtures/cluster';
import { referenceItlOptions, referenceRecords } from '../server/src/fixtures/generateFixtures';
import { diagnoseFile } from '../server/src/rules/runRules';
import { renderFileView } from '../server/src/views/renderFile';
import { decodeWorkspaceFile } from '../server/src/workspace/decodeFile';
import { clearTrustListCache, summarize } from '../server/src/workspace/fileSummary';
import { fileUri } from '../server/src/workspace/uris';
import { loadPaths } from '../server/src/workspace/loadPaths';
import { clearCertificateCache } from '../server/src/workspace/certificateCache';
import { clearPublicKeyCache } from '../server/src/core/tlv/verify';
import { WorkspaceIndex } from '../server/src/workspace/workspaceIndex';
import { toLspDiagnostics, DiagnosticMapping } from '../server/src/lsp/lspDiagnostics';
import { ViewStore } from '../server/src/lsp/viewStore';
import { LspTestClient } from '../test/protocol/lspTestClient';
import { BenchResult } from './types';
import { compareToFloor, median } from './timing';

const ROOT = path.join(__dirname, '..', '..');
const DAY = 86_400_000;

/** The floor: hash the file, one RSA verify, X509Certificate over each embedded certificate. */
function decodeFloor(bytes: Buffer): () => void {
  const list = decodeTrustList(bytes);
  const key = recordPublicKey(findSigner(list)!)!;
  const data = signedBytes(bytes, list)!;
  const sig = list.header.signature!.raw;
  const hash = list.header.hashAlgorithm === 3 ? 'sha512' : 'sha1';
  const certs = list.records.filter((r) => r.certificate).map((r) => r.certificate!);
  return () => {
    createHash(hash).update(bytes).digest();
    verify(hash, data, key, sig);
    for (const c of certs) new X509Certificate(c);
  };
}

/** What the session runs for one changed trust list (see Session.loadPath and Session.publishFile). */
function openPipeline(index: WorkspaceIndex, views: ViewStore, uri: string, file: string, bytes: Buffer, now: Date, coldCache: boolean): () => number {
  const mapping: DiagnosticMapping = { index, viewOf: (f) => views.viewOf(f), viewUriOf: (f) => views.viewUriOf(f), sourceUriOf: (f) => views.sourceUriOf(f) };
  return () => {
    clearTrustListCache(); // new content each time, as when a file changes
    if (coldCache) {
      clearCertificateCache();
      clearPublicKeyCache();
    }
    const decoded = decodeWorkspaceFile({ uri, path: file, name: file, bytes })!;
    const indexed = summarize(decoded);
    index.set(indexed);
    views.forget(uri);
    const found = diagnoseFile(indexed, { now, nearExpiryDays: 30, index });
    const view = found.length ? renderFileView(decoded, { fileName: 'ITLFile.tlv', now }) : undefined;
    const lsp = toLspDiagnostics(indexed, view, found, mapping);
    return lsp.source.length + lsp.view.length;
  };
}

interface Corpus {
  root: string;
  /** a reference-shaped ITL whose hash-only CAPF record matches a CAPF.pem beside it */
  itl: string;
  /** the same with an expired CAPF certificate (one diagnostic, so the view is rendered and mapped) */
  expiredItl: string;
  trustLists: number;
  certificates: number;
}

/** 100 site folders, each with 10 ITLs (unique CAPF certificate each, hash-only record) and their 10 CAPF certificates. */
function buildCorpus(now: Date): Corpus {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-bench-'));
  const keys = loadFixtureKeys(path.join(ROOT, 'test-fixtures', 'keys'));
  const cluster = makeCluster(now, keys);
  for (let j = 0; j < 1000; j++) {
    const site = path.join(root, `site-${String(Math.floor(j / 10)).padStart(3, '0')}`);
    fs.mkdirSync(site, { recursive: true });
    // One in ten CAPF certificates expired, one in ten near expiry: those ITLs carry a diagnostic.
    const notAfter = j % 10 === 0 ? -2 : j % 10 === 1 ? 12 : 900;
    const capf = selfSigned({ cn: `CAPF-${j.toString(16).padStart(8, '0')}`, key: keys.capf, now, notBeforeDays: -400, notAfterDays: notAfter, extensions: CAPF_EXTENSIONS, serialSeed: `bench-${j}` });
    const itl = buildTrustList({ ...referenceItlOptions(cluster, now, referenceRecords(cluster, capf)), timestamp: new Date(now.getTime() - DAY) });
    fs.writeFileSync(path.join(site, `ITLSEP${String(j).padStart(12, '0')}.tlv`), itl);
    if (j % 4 === 3) fs.writeFileSync(path.join(site, `CAPF-${j}.der`), capf);
    else fs.writeFileSync(path.join(site, `CAPF-${j}.pem`), toPem('CERTIFICATE', capf));
  }
  return { root, itl: path.join(root, 'site-000', `ITLSEP${'2'.padStart(12, '0')}.tlv`), expiredItl: path.join(root, 'site-000', `ITLSEP${'0'.padStart(12, '0')}.tlv`), trustLists: 1000, certificates: 1000 };
}

/**
 * The corpus-wide floor, for reading the cold-index figure on a busy machine: read every file, then for each
 * trust list hash it, verify its signature once and parse its certificates with X509Certificate, and parse every
 * certificate file with X509Certificate. What it needs to know (keys, signed bytes) is prepared untimed.
 */
function coldIndexFloorMs(root: string): number {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(root);
  const work = files.map((file) => {
    const bytes = fs.readFileSync(file);
    if (file.endsWith('.tlv')) return { file, floor: decodeFloor(bytes) };
    const der = file.endsWith('.der') ? bytes : Buffer.from(bytes.toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    return { file, floor: () => void new X509Certificate(der) };
  });
  const start = process.hrtime.bigint();
  for (const w of work) {
    fs.readFileSync(w.file);
    w.floor();
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function peakRssMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function coldIndex(corpus: Corpus, now: Date): Promise<{ ms: number; peakMb?: number; client: LspTestClient }> {
  const start = process.hrtime.bigint();
  const client = await LspTestClient.start({ folders: [corpus.root], initializationOptions: { now: now.toISOString() } });
  try {
    const status = await client.indexed(0);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (status.trustLists !== corpus.trustLists || status.certificates !== corpus.certificates) throw new Error(`indexed ${JSON.stringify(status)}`);
    return { ms, peakMb: peakRssMb(client.child.pid!), client };
  } catch (e) {
    await client.stop();
    throw e;
  }
}

const COLD_RUNS = 3;

/** Over JSON-RPC: a trust list changes on disk → its diagnostics arrive. Median of `rounds`; variants[0] must be a broken signature. */
async function changeLatency(client: LspTestClient, file: string, variants: Buffer[], rounds: number): Promise<number> {
  const times: number[] = [];
  const uri = fileUri(file);
  for (let i = 0; i < rounds; i++) {
    const bytes = variants[i % variants.length];
    fs.writeFileSync(file, bytes);
    const since = client.notifications.length;
    const expectErrors = i % variants.length === 0;
    const t = process.hrtime.bigint();
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: FileChangeType.Changed }] });
    await client.diagnostics(uri, (d) => d.some((x) => x.code === 'signature-invalid') === expectErrors, since);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

export async function runServerBench(): Promise<BenchResult[]> {
  const now = new Date();
  const corpus = buildCorpus(now);
  const out: BenchResult[] = [];
  try {
    const { index } = await loadPaths([corpus.root]);
    const views = new ViewStore(() => now, () => [corpus.root], (f) => decodeWorkspaceFile({ uri: f.uri, path: f.path, name: f.path!, bytes: fs.readFileSync(f.path!) }));
    for (const [name, file, coldCache] of [
      ['reference ITL, CAPF.pem beside it, no diagnostic', corpus.itl, false],
      ['same, CAPF expired (view rendered, 2 diagnostics)', corpus.expiredItl, false],
      ['same, none of its certificates seen before (caches emptied)', corpus.expiredItl, true],
    ] as const) {
      const bytes = fs.readFileSync(file);
      const pipeline = openPipeline(index, views, fileUri(file), file, bytes, now, coldCache);
      if ((pipeline() > 0) !== (file === corpus.expiredItl)) throw new Error(`unexpected diagnostics for ${file}`);
      const r = compareToFloor(decodeFloor(bytes), pipeline, 100);
      out.push({ name: `open → diagnostics: ${name}`, value: r.subjectMs, unit: 'ms', ratio: r.ratio, goal: 'ratio <= 3.0 (floor: hash + 1 RSA verify + X509Certificate per cert)' });
      out.push({ name: `  decode floor: ${bytes.length} bytes, ${decodeTrustList(bytes).records.filter((x) => x.certificate).length} certificates`, value: r.floorMs, unit: 'ms' });
    }

    const runs: Array<{ ms: number; peakMb?: number }> = [];
    for (let i = 0; i < COLD_RUNS - 1; i++) {
      const run = await coldIndex(corpus, now);
      await run.client.stop();
      runs.push(run);
    }
    const cold = await coldIndex(corpus, now);
    runs.push(cold);
    try {
      const peaks = runs.map((r) => r.peakMb).filter((x): x is number => x !== undefined);
      const coldMs = median(runs.map((r) => r.ms));
      const floorMs = median([coldIndexFloorMs(corpus.root), coldIndexFloorMs(corpus.root), coldIndexFloorMs(corpus.root)]);
      out.push({ name: `cold index: 1,000 trust lists + 1,000 certificates, all diagnostics published (median of ${COLD_RUNS} starts)`, value: coldMs, unit: 'ms', ratio: coldMs / floorMs, goal: '<= 3000 ms (spawn of dist/server.js to last diagnostic)' });
      out.push({ name: `  slowest of the ${COLD_RUNS} starts`, value: Math.max(...runs.map((r) => r.ms)), unit: 'ms' });
      out.push({ name: '  corpus floor: read + hash + 1 RSA verify per trust list + X509Certificate per certificate', value: floorMs, unit: 'ms' });
      if (peaks.length) out.push({ name: `cold index: server peak memory (VmHWM, highest of ${COLD_RUNS})`, value: Math.max(...peaks), unit: 'MB', goal: '<= 300 MB' });
      const file = corpus.itl;
      const good = fs.readFileSync(file);
      const tampered = Buffer.from(good);
      tampered[tampered.length - 10] ^= 0xff;
      const floor = decodeFloor(good);
      const fileFloorMs = compareToFloor(floor, floor, 100).floorMs;
      const lsp = await changeLatency(cold.client, file, [tampered, good], 40);
      out.push({ name: 'change → diagnostics over JSON-RPC (2,000-file workspace)', value: lsp, unit: 'ms', ratio: lsp / fileFloorMs, goal: 'reported only: includes file read, stdio and JSON' });
    } finally {
      await cold.client.stop();
    }
  } finally {
    fs.rmSync(corpus.root, { recursive: true, force: true });
  }
  return out;
}

if (require.main === module) {
  runServerBench().then(
    (results) => {
      for (const r of results) console.log(`${r.name.padEnd(78)} ${r.value.toFixed(3).padStart(10)} ${r.unit.padEnd(3)}${r.ratio !== undefined ? `  ratio ${r.ratio.toFixed(2)}` : ''}${r.goal ? `   goal: ${r.goal}` : ''}`);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
