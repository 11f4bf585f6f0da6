/**
 * The editor's verdict on the files a phone judged at boot, reached the way a user would: `itl-lens compare
 * HELD NEW [--ctl CTL] [--tvs-knows CERT…] --json` for a trust list, `itl-lens check --json FOLDER` (the ITL and
 * CTL the phone held beside the configuration file) for a signed file. A scenario asserts that the phone and
 * the static check agree.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { toPem } from '../../core/cert/pem';
import { checkCommand } from '../../cli/commands/check';
import { compareCommand } from '../../cli/commands/compare';
import { BootFile, BootResult } from '../phone/boot/phoneBoot';
import { ScenarioCheck } from './types';

/** check's codes that mean "phones do not take this signed file" (trust/signedFileRules.ts). */
const SGN_REFUSED = new Set(['sgn-signer-untrusted', 'sgn-signature-invalid', 'signature-unsupported', 'sgn-signer-via-tvs']);

async function runQuiet(cmd: typeof compareCommand, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await cmd.run(args, { cwd, out: (t) => (out += t), err: () => undefined });
  return { code, out };
}

export interface EditorVerdict {
  file: string;
  phone: 'accepted' | 'rejected';
  editor: 'accepted' | 'rejected';
  how: string;
}

async function judgeList(f: BootFile, dir: string, tvsKnows: Buffer[]): Promise<EditorVerdict | undefined> {
  const held = f.heldBefore.itl ?? f.heldBefore.ctl;
  if (!held || !f.bytes) return undefined; // trust on first use: nothing for compare to hold it against
  await fsp.writeFile(path.join(dir, 'held.tlv'), held);
  await fsp.writeFile(path.join(dir, f.name), f.bytes);
  const args = ['held.tlv', f.name, '--json'];
  if (f.heldBefore.itl && f.heldBefore.ctl) {
    await fsp.writeFile(path.join(dir, 'held-ctl.tlv'), f.heldBefore.ctl);
    args.push('--ctl', 'held-ctl.tlv');
  }
  for (const [i, der] of tvsKnows.entries()) {
    await fsp.writeFile(path.join(dir, `tvs-${i}.pem`), toPem('CERTIFICATE', der));
    args.push('--tvs-knows', `tvs-${i}.pem`);
  }
  const r = await runQuiet(compareCommand, args, dir);
  const verdict = (JSON.parse(r.out) as { verdict: string }).verdict;
  return { file: f.name, phone: f.verdict?.verdict === 'accepted' ? 'accepted' : 'rejected', editor: verdict === 'accepted' ? 'accepted' : 'rejected', how: `itl-lens compare ${args.join(' ')} → ${verdict}` };
}

async function judgeConfig(f: BootFile, dir: string): Promise<EditorVerdict | undefined> {
  if (!f.bytes || (!f.heldBefore.itl && !f.heldBefore.ctl)) return undefined;
  const folder = path.join(dir, 'tftp');
  await fsp.mkdir(folder, { recursive: true });
  if (f.heldBefore.itl) await fsp.writeFile(path.join(folder, 'ITLFile.tlv'), f.heldBefore.itl);
  if (f.heldBefore.ctl) await fsp.writeFile(path.join(folder, 'CTLFile.tlv'), f.heldBefore.ctl);
  await fsp.writeFile(path.join(folder, f.name), f.bytes);
  const r = await runQuiet(checkCommand, ['--json', 'tftp'], dir);
  const findings = (JSON.parse(r.out) as Array<{ file: string; code: string }>).filter((x) => path.basename(x.file) === f.name);
  const refused = findings.filter((x) => SGN_REFUSED.has(x.code)).map((x) => x.code);
  return { file: f.name, phone: f.verdict?.verdict === 'accepted' ? 'accepted' : 'rejected', editor: refused.length ? 'rejected' : 'accepted', how: `itl-lens check --json tftp → ${refused.join(', ') || 'no finding that refuses it'}` };
}

/**
 * The editor's verdict on every file the boot judged (not the unchanged ones, not those taken on first use).
 * `tvsKnows`: the certificates the TVS the phone asks would vouch for — none when that TVS is down.
 */
export async function editorVerdicts(boot: BootResult, workDir: string, tvsKnows: Buffer[]): Promise<EditorVerdict[]> {
  const out: EditorVerdict[] = [];
  for (const [i, f] of boot.files.entries()) {
    if (!f.verdict || f.unchanged) continue;
    const dir = path.join(workDir, `${i + 1}-${f.name}`);
    await fsp.mkdir(dir, { recursive: true });
    const v = f.kind === 'config' ? await judgeConfig(f, dir) : await judgeList(f, dir, tvsKnows);
    if (v) out.push(v);
  }
  return out;
}

export function agreementChecks(label: string, verdicts: EditorVerdict[]): ScenarioCheck[] {
  return verdicts.map((v) => ({ name: `${label}: ${v.file} — the phone and the editor agree (${v.phone})`, passed: v.phone === v.editor, detail: `phone ${v.phone}; ${v.how}` }));
}
