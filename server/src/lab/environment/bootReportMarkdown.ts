/**
 * The phone boot test's report as markdown, for the editor ("Run Phone Boot Test"): the servers, each file the
 * phone asked for with its verdict and a link to the file the lab TFTP server served (the editor opens a
 * trust list through its decoded view), the phone's timeline and the result. `renderBootInstallReport` is the
 * CLI's plain-text form of the same report.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BootFile } from '../phone/boot/phoneBoot';
import { BootInstallReport } from './bootInstallTest';

/** The served copy of a file the phone found, as a file:// URI; undefined for File Not Found. */
export function servedFileUri(tftpRoot: string, f: BootFile): string | undefined {
  return f.found ? pathToFileURL(path.join(tftpRoot, f.name)).href : undefined;
}

/** What the phone did with the file, in a few words. */
export function bootFileOutcome(f: BootFile): string {
  if (!f.found) return f.problem ? `not fetched: ${f.problem}` : 'File Not Found (normal when the cluster has none)';
  if (f.unchanged) return 'unchanged (the phone already holds these bytes)';
  const v = f.verdict;
  if (!v) return 'downloaded';
  const basis = v.basis === 'first-use' ? ' on first use' : v.basis === 'tvs' ? ' via TVS' : v.basis === 'record' ? ' by a held record' : '';
  return `${v.verdict}${basis}${v.phoneStatus ? ` — "${v.phoneStatus}"` : ''}`;
}

/** `|` and line breaks would end a table cell; backslashes and brackets would start markdown. */
function cell(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function renderBootReportMarkdown(r: BootInstallReport): string {
  const rel = (p: string) => path.relative(r.stateDir, p) || p;
  const files = r.files.map((f) => {
    const uri = servedFileUri(r.tftp.root, f);
    const name = uri ? `[${cell(f.name)}](${uri})` : cell(f.name);
    const why = f.verdict?.reason ?? f.tvs?.problem ?? '';
    return `| ${name} | ${f.kind} | ${cell(bootFileOutcome(f))} | ${cell(why)} |`;
  });
  const timeline = r.phone.timeline.map((t) => `| ${t.at.slice(11, 23)} | ${t.kind === 'status' ? `**${cell(t.text)}**` : cell(t.text)} |`);
  const s = r.phone.lsc?.summary;
  const lines = [
    `# Phone boot test: ${r.phone.device}`,
    '',
    `**Result:** ${r.ok ? 'LSC installed' : `no LSC installed (${r.phone.outcome})`} — the phone shows "${cell(r.phone.status)}", Certificate Operation Status "${cell(r.phone.serverStatus ?? '(none)')}".`,
    ...(r.phone.problem ? ['', `**Why:** ${cell(r.phone.problem)}`] : []),
    '',
    `- Lab folder: \`${r.stateDir}\``,
    `- TFTP server: ${r.tftp.host}:${r.tftp.port}, serving \`${rel(r.tftp.root)}/\` (stopped now)`,
    `- TVS server: ${r.tvs.host}:${r.tvs.port}, certificate ${cell(r.tvs.subject)} (stopped now)`,
    `- CAPF server: ${r.server.host}:${r.server.port}, certificate ${cell(r.server.capfSubject)} (stopped now)`,
    `- Trust store: \`${rel(r.trustStore)}/\` (what the phone installed; the next run judges new files against it)`,
    '',
    '## Files the phone asked for',
    '',
    'Each served file opens in its decoded view; the editor checks the files of the TFTP folder like any other.',
    '',
    '| file | kind | phone | why |',
    '|---|---|---|---|',
    ...files,
    '',
    '## Timeline',
    '',
    '| time | phone |',
    '|---|---|',
    ...timeline,
  ];
  if (s) {
    lines.push('', '## Issued LSC', '', `- Subject: ${cell(s.subject)}`, `- Issuer: ${cell(s.issuer)}`, `- Serial: ${s.serialNumber}`, `- Valid: ${s.notBefore} to ${s.notAfter}`, `- SHA-1: ${s.sha1}`);
    if (r.phoneLscPath) lines.push(`- Phone copy: [${cell(rel(r.phoneLscPath))}](${pathToFileURL(r.phoneLscPath).href})`);
  }
  lines.push('', `Server log: ${r.log.length} line(s) in operations.log`);
  return `${lines.join('\n')}\n`;
}
