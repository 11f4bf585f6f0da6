/**
 * Language-server and CLI benchmarks on a cluster's TFTP export (bench/corpus.ts: per-device ITLSEP<MAC>.tlv
 * files and their CAPF certificates).
 * 1. open → diagnostics: what the server does when a trust list appears or changes (decode, verify, index, run
 *    every rule, render the view, map diagnostics to view and source), as a ratio to the decode floor measured
 *    in the same run: hash the file + one signature verify + hash each embedded certificate. Goal: at most 3x.
 * 2. cold index, at 1k + 1k, 5k + 5k and 10k + 10k files: the built server (dist/server.js) from spawn until
 *    every diagnostic is published, interleaved with the floor process (bench/floorProcess.ts: spawn + start-up
 *    of a Node process that reads and hashes the same files and verifies each trust list's signature); wall
 *    time (median), ratio (median of the rounds' server / floor) and peak RSS. Goals at 10k + 10k: at most 3 s,
 *    300 MB, 2x the floor.
 * 3. itl-lens check --json on the 10k + 10k corpus, interleaved with the server's starts and the floor: at most
 *    1.1x the server, 4x the floor, 330 MB.
 * 4. change → diagnostics over JSON-RPC on the 20,000-file workspace.
 */
import { spawn } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileChangeType } from 'vscode-languageserver-protocol';
import { decodeTrustList, findSigner, recordPublicKey, signedBytes } from '../server/src/core/tlv';
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
import { WorkspaceStatus, WorkspaceStatusNotification } from '../server/src/shared/lspExtensions';
import { BenchResult } from './types';
import { compareToFloor, median } from './timing';
import { Corpus, corpusFiles, corpusOf } from './corpus';
import { FloorManifest } from './floorProcess';

const ROOT = path.join(__dirname, '..', '..');
const CLI_JS = path.join(ROOT, 'dist', 'cli.js');
const FLOOR_JS = path.join(__dirname, 'floorProcess.js');
const RSS_REPORT = path.join(__dirname, 'rssReport.js');
/** corpus sizes of the growth table (phones: one trust list and one certificate file each) */
const SIZES = [1_000, 5_000, 10_000];
const COLD_ROUNDS = 3;

/**
 * The decode floor: what any decoder of this file must do — hash the file, verify its one signature, hash each
 * embedded certificate (to know which certificate it is). What it needs to know is prepared untimed.
 */
export function decodeFloor(bytes: Buffer): () => void {
  const list = decodeTrustList(bytes);
  const key = recordPublicKey(findSigner(list)!)!;
  const data = signedBytes(bytes, list)!;
  const sig = list.header.signature!.raw;
  const hash = list.header.hashAlgorithm === 3 ? 'sha512' : 'sha1';
  const certs = list.records.filter((r) => r.certificate).map((r) => r.certificate!);
  return () => {
    createHash(hash).update(bytes).digest();
    verify(hash, data, key, sig);
    for (const c of certs) createHash('sha1').update(c).digest();
  };
}

/** The former floor, kept as an informative line: the same plus Node's X509Certificate over each certificate. */
export function x509Floor(bytes: Buffer): () => void {
  const base = decodeFloor(bytes);
  const certs = decodeTrustList(bytes).records.filter((r) => r.certificate).map((r) => r.certificate!);
  return () => {
    base();
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

/** The manifest of the cold-index floor process (bench/floorProcess.ts), written untimed. */
function writeFloorManifest(corpus: Corpus): string {
  const keys: string[] = [];
  const keyIds = new Map<string, number>();
  const files: FloorManifest['files'] = corpusFiles(corpus.root).map((p) => {
    if (!p.endsWith('.tlv')) return { path: p };
    const list = decodeTrustList(fs.readFileSync(p));
    const sig = list.header.signature!;
    const pem = recordPublicKey(findSigner(list)!)!.export({ type: 'spki', format: 'pem' }) as string;
    if (!keyIds.has(pem)) keyIds.set(pem, keys.push(pem) - 1);
    return { path: p, verify: { hash: list.header.hashAlgorithm === 3 ? 'sha512' : 'sha1', cut: [sig.offset, sig.valueOffset + sig.length], key: keyIds.get(pem)! } };
  });
  const manifest = path.join(path.dirname(corpus.root), 'floor-manifest.json');
  fs.writeFileSync(manifest, JSON.stringify({ keys, files } satisfies FloorManifest));
  return manifest;
}

interface ProcessRun {
  ms: number;
  peakMb?: number;
  stdout: string;
}

/** A process run to its exit: wall time from spawn, and its peak RSS (reported by the preload rssReport.ts). */
function runProcess(args: string[]): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', RSS_REPORT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const m = /itl-lens-bench-maxrss (\d+)/.exec(stderr);
      resolve({ ms, peakMb: m ? Number(m[1]) / 1024 : undefined, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
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
    const status = await client.waitFor<WorkspaceStatus>(WorkspaceStatusNotification.method, (st) => !st.indexing, 0, 300_000);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (status.trustLists !== corpus.trustLists || status.certificates !== corpus.certificates) throw new Error(`indexed ${JSON.stringify(status)}`);
    return { ms, peakMb: peakRssMb(client.child.pid!), client };
  } catch (e) {
    await client.stop();
    throw e;
  }
}

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
  const largest = SIZES[SIZES.length - 1];
  const out: BenchResult[] = [];
  const small = corpusOf(SIZES[0], now, largest);
  const { index } = await loadPaths([small.root]);
  const views = new ViewStore(() => now, () => [small.root], (f) => decodeWorkspaceFile({ uri: f.uri, path: f.path, name: f.path!, bytes: fs.readFileSync(f.path!) }));
  for (const [name, file, coldCache] of [
    ['reference ITL, CAPF.pem beside it, no diagnostic', small.itl, false],
    ['same, CAPF expired (view rendered, 2 diagnostics)', small.expiredItl, false],
    ['same, none of its certificates seen before (caches emptied)', small.expiredItl, true],
  ] as const) {
    const bytes = fs.readFileSync(file);
    const pipeline = openPipeline(index, views, fileUri(file), file, bytes, now, coldCache);
    if ((pipeline() > 0) !== (file === small.expiredItl)) throw new Error(`unexpected diagnostics for ${file}`);
    const r = compareToFloor(decodeFloor(bytes), pipeline, 100);
    out.push({ name: `open → diagnostics: ${name}`, value: r.subjectMs, unit: 'ms', ratio: r.ratio, goal: 'ratio <= 3.0 (floor: hash + 1 verify + hash per cert)' });
    out.push({ name: `  decode floor: ${bytes.length} bytes, ${decodeTrustList(bytes).records.filter((x) => x.certificate).length} certificates`, value: r.floorMs, unit: 'ms' });
  }
  const expired = fs.readFileSync(small.expiredItl);
  const x = compareToFloor(decodeFloor(expired), x509Floor(expired), 100);
  out.push({ name: '  informative: the floor plus X509Certificate per certificate', value: x.subjectMs, unit: 'ms', ratio: x.ratio });

  let client: LspTestClient | undefined;
  try {
    for (const phones of SIZES) {
      const corpus = corpusOf(phones, now, largest);
      const manifest = writeFloorManifest(corpus);
      const servers: Array<{ ms: number; peakMb?: number }> = [];
      const floors: ProcessRun[] = [];
      const clis: ProcessRun[] = [];
      const ratios: number[] = [];
      const big = phones === largest;
      for (let round = 0; round < COLD_ROUNDS; round++) {
        await client?.stop();
        client = undefined;
        const floor = await runProcess([FLOOR_JS, manifest]);
        if (Number(floor.stdout) !== phones) throw new Error(`floor verified ${floor.stdout.trim()} of ${phones}`);
        const run = await coldIndex(corpus, now);
        client = run.client;
        servers.push(run);
        floors.push(floor);
        ratios.push(run.ms / floor.ms);
        process.stderr.write(`  [${phones} phones, round ${round + 1}] floor ${floor.ms.toFixed(0)} ms, server ${run.ms.toFixed(0)} ms ${run.peakMb?.toFixed(0)} MB\n`);
        if (big) {
          await client.stop();
          client = undefined;
          const cli = await runProcess([CLI_JS, 'check', '--json', '--now', now.toISOString(), corpus.root]);
          const findings = JSON.parse(cli.stdout) as unknown[];
          if (findings.length !== (phones / 10) * 4) throw new Error(`check found ${findings.length}`);
          clis.push(cli);
          process.stderr.write(`  [${phones} phones, round ${round + 1}] check ${cli.ms.toFixed(0)} ms ${cli.peakMb?.toFixed(0)} MB\n`);
        }
      }
      const files = `${phones.toLocaleString('en-US')} trust lists + ${phones.toLocaleString('en-US')} certificates`;
      const serverMs = median(servers.map((r) => r.ms));
      out.push({ name: `cold index: ${files} (median of ${COLD_ROUNDS})`, value: serverMs, unit: 'ms', ratio: median(ratios), goal: big ? '<= 3000 ms, ratio <= 2.0 (spawn to last diagnostic)' : undefined });
      out.push({ name: '  floor process: read + hash every file + verify each trust list', value: median(floors.map((r) => r.ms)), unit: 'ms' });
      const peak = (runs: Array<{ peakMb?: number }>) => Math.max(...runs.map((r) => r.peakMb ?? NaN));
      out.push({ name: `  server peak memory (VmHWM, highest of ${COLD_ROUNDS})`, value: peak(servers), unit: 'MB', goal: big ? '<= 300 MB' : undefined });
      out.push({ name: '  floor process peak memory (maxRSS)', value: peak(floors), unit: 'MB' });
      if (big) {
        const cliMs = median(clis.map((r) => r.ms));
        out.push({ name: `itl-lens check --json: ${files} (median of ${COLD_ROUNDS})`, value: cliMs, unit: 'ms', ratio: median(clis.map((c, i) => c.ms / servers[i].ms)), goal: 'ratio to the server <= 1.1' });
        out.push({ name: '  the same, ratio to the floor process', value: cliMs, unit: 'ms', ratio: median(clis.map((c, i) => c.ms / floors[i].ms)), goal: 'ratio <= 4.0' });
        out.push({ name: '  itl-lens check peak memory (maxRSS)', value: peak(clis), unit: 'MB', goal: '<= 330 MB' });
        const run = await coldIndex(corpus, now);
        client = run.client;
        const good = fs.readFileSync(corpus.itl);
        const tampered = Buffer.from(good);
        tampered[tampered.length - 10] ^= 0xff;
        const floor = decodeFloor(good);
        const fileFloorMs = compareToFloor(floor, floor, 100).floorMs;
        try {
          const lsp = await changeLatency(client, corpus.itl, [tampered, good], 40);
          out.push({ name: `change → diagnostics over JSON-RPC (${(phones * 2).toLocaleString('en-US')}-file workspace)`, value: lsp, unit: 'ms', ratio: lsp / fileFloorMs, goal: 'reported: includes file read, stdio and JSON' });
        } finally {
          fs.writeFileSync(corpus.itl, good);
        }
      }
    }
  } finally {
    await client?.stop();
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
