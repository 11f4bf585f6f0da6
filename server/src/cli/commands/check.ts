/** `itl-lens check`: the editor's diagnostics over files and folders, for terminals and CI. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliCommand, CliIo, EXIT_OK, EXIT_PROBLEMS, parseArgs, single, UsageError } from '../io';
import { parseNow } from '../nowOption';
import { loadPaths } from '../../workspace/loadPaths';
import { diagnoseFile } from '../../rules/runRules';
import { deviceTableProblems, deviceTableRules, isDeviceTablePath } from '../../rules/deviceTableRules';
import { DEFAULT_NEAR_EXPIRY_DAYS } from '../../rules/ruleContext';
import { positionAt, sourceLocation, SourceLocation } from '../../rules/sourceLocation';
import { IndexedFile } from '../../workspace/indexedFile';
import { findFiles } from '../../workspace/scanFolders';
import { isSignedFilePath } from '../../shared/fileKinds';
import { signedFileRules } from '../../trust/signedFileRules';
import { readSignedFile, trustFilesOfIndex } from '../../trust/workspaceFiles';
import { WorkspaceIndex } from '../../workspace/workspaceIndex';

/** A run that takes longer than this shows a progress line on stderr (when stderr is a terminal). */
const PROGRESS_AFTER_MS = 1_000;
const PROGRESS_EVERY_MS = 200;

/** "checked 1,200 of 20,000 files" on one terminal line, from the first second on; cleared when done. */
function progressLine(io: CliIo): { update: (done: number, total: number) => void; clear: () => void } {
  const tty = io.errIsTerminal === true;
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      if (!tty) return;
      const t = Date.now();
      if (t - start < PROGRESS_AFTER_MS || (t - last < PROGRESS_EVERY_MS && done < total)) return;
      last = t;
      shown = true;
      io.err(`\ritl-lens check: read ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} files`);
    },
    clear() {
      if (shown) io.err('\r\x1b[K');
    },
  };
}

const USAGE = `Usage: itl-lens check [--json] [--near-expiry-days N] [--now ISO-8601] PATH...
  PATH                 .tlv trust lists, certificate files (PEM/DER), signed files (.sgn, .sha512,
                       .enc.sgn) and folders holding them; all paths form one workspace (a CAPF.pem
                       beside an ITL is checked against it, a SEP<MAC>.cnf.xml.sgn against the ITL
                       phones hold);
                       a CAPF lab device table (capf-devices.json) given by name: what the CAPF server
                       would refuse in it, and its Operation Completes By
  --json               print an array of {"file","code","severity","message","range"?,"offset"?},
                       one finding per line, written as each file is checked
  --near-expiry-days   warn this many days before a certificate expires (default ${DEFAULT_NEAR_EXPIRY_DAYS})
Exit codes: 0 no errors, 1 at least one error-severity diagnostic, 2 usage error or unreadable path.`;

export interface CheckFinding {
  file: string;
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** 0-based lines and characters, for text (PEM) files */
  range?: SourceLocation['range'];
  /** byte offset, for binary files (.tlv, DER) */
  offset?: number;
}

function parseDays(value: string | undefined): number {
  if (value === undefined) return DEFAULT_NEAR_EXPIRY_DAYS;
  if (!/^\d+$/.test(value)) throw new UsageError(`--near-expiry-days: '${value}' is not a whole number of days`);
  return Number(value);
}

function shownPath(file: IndexedFile | string, cwd: string): string {
  const p = typeof file === 'string' ? file : (file.path ?? file.uri);
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function humanLine(f: CheckFinding): string {
  const where = f.range ? `:${f.range.start.line + 1}:${f.range.start.character + 1}` : f.offset !== undefined ? ` (byte ${f.offset})` : '';
  return `${f.file}${where}: ${f.severity} ${f.code}: ${f.message}`;
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check trust lists and certificates (files and folders) with the editor rules',
  usage: USAGE,
  async run(args, io) {
    const p = parseArgs(args, { booleans: ['--json'], values: ['--near-expiry-days', '--now'] });
    if (!p.positionals.length) throw new UsageError('give at least one PATH');
    const nearExpiryDays = parseDays(single(p, '--near-expiry-days'));
    const now = parseNow(single(p, '--now'));
    const paths = p.positionals.map((x) => path.resolve(io.cwd, x));
    for (const [i, full] of paths.entries()) if (!fs.existsSync(full)) throw new UsageError(`${p.positionals[i]}: no such file or folder`);
    const tables = [...new Set(paths.filter((x) => isDeviceTablePath(x) && fs.statSync(x).isFile()))];
    const signed = await signedFilesOf(paths);
    const progress = progressLine(io);
    const { index, skipped } = await loadPaths(
      paths.filter((x) => !tables.includes(x) && !signed.includes(x)),
      { progress: progress.update },
    );
    progress.clear();
    for (const s of skipped) io.err(`itl-lens check: skipped ${path.relative(io.cwd, s) || s}: not a readable trust list or certificate file\n`);
    const json = p.flags.has('--json');
    const counts = { error: 0, warning: 0, info: 0 };
    let written = 0;
    // Findings are written as they are found (CI logs see them at once; nothing is held for the whole run).
    const report = (f: CheckFinding) => {
      counts[f.severity]++;
      if (json) io.out(`${written++ === 0 ? '[\n' : ',\n'}${JSON.stringify(f)}`);
      else io.out(humanLine(f) + '\n');
    };
    const files = index.all().sort((a, b) => (a.path ?? a.uri).localeCompare(b.path ?? b.uri));
    for (const file of files) {
      for (const d of diagnoseFile(file, { now, nearExpiryDays, index })) {
        const loc = sourceLocation(file, d.target);
        report({
          file: shownPath(file, io.cwd),
          code: d.code,
          severity: d.severity === 'hint' ? 'info' : d.severity,
          message: d.message,
          ...(loc.textual ? { range: loc.range } : { offset: loc.bytes?.start ?? 0 }),
        });
      }
    }
    checkSignedFiles(signed, index, io.cwd, report);
    for (const table of tables) {
      let text: string;
      try {
        text = fs.readFileSync(table, 'utf8');
      } catch (e) {
        io.err(`itl-lens check: skipped ${shownPath(table, io.cwd)}: ${(e as Error).message}\n`);
        continue;
      }
      for (const d of [...deviceTableProblems(text), ...deviceTableRules(text, now)]) {
        const range = { start: positionAt(text, d.offset), end: positionAt(text, d.offset + d.length) };
        report({ file: shownPath(table, io.cwd), code: d.code, severity: d.severity === 'hint' ? 'info' : d.severity, message: d.message, range });
      }
    }
    if (json) io.out(written ? '\n]\n' : '[]\n');
    else io.out(`${files.length + tables.length + signed.length} file(s) checked: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} note(s)\n`);
    return counts.error > 0 ? EXIT_PROBLEMS : EXIT_OK;
  },
};

/** Signed files named, and those in the folders named (the workspace walk skips them). */
async function signedFilesOf(paths: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) for (const f of await findFiles(p, isSignedFilePath)) out.add(f);
    else if (isSignedFilePath(p)) out.add(p);
  }
  return [...out].sort();
}

/** Decoder problems and the signed-file rules (signer against the ITL/CTL phones hold; CAPF settings). */
function checkSignedFiles(files: string[], index: WorkspaceIndex, cwd: string, report: (f: CheckFinding) => void): void {
  if (!files.length) return;
  const ctx = trustFilesOfIndex(index);
  for (const file of files) {
    let src;
    try {
      src = readSignedFile(file);
    } catch {
      continue;
    }
    const shown = shownPath(file, cwd);
    for (const p of src.file.problems) report({ file: shown, code: p.code, severity: p.severity, message: p.message, offset: p.range.start });
    for (const d of signedFileRules(src, ctx)) {
      report({ file: shown, code: d.code, severity: d.severity === 'hint' ? 'info' : d.severity, message: d.message, offset: d.target.in === 'trust-list' ? d.target.range.start : 0 });
    }
  }
}
