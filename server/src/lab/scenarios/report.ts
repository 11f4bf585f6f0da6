/** Plain-text and Markdown renderings of a scenario report (the VS Code command shows the text). */
import { ScenarioReport, ScenarioResult } from './types';

function statusLine(r: ScenarioResult): string {
  return r.timeline.filter((t) => t.kind === 'status').map((t) => t.text).join(' → ');
}

function expectation(e: { phoneStatus: string; serverStatus: string | undefined }): string {
  return `${e.phoneStatus} · ${e.serverStatus ?? '(device not in the table)'}`;
}

function summary(report: ScenarioReport): string {
  const secs = (report.durationMs / 1000).toFixed(1);
  return `${report.passed} passed, ${report.failed} failed${report.cancelled ? ', cancelled' : ''} (${secs} s)`;
}

export function renderScenarioReportText(report: ScenarioReport): string {
  const lines = [`LSC troubleshooting scenarios — ${summary(report)}`, ''];
  for (const r of report.results) {
    lines.push(`${r.passed ? '✔' : '✘'} ${r.title}  [${r.id}, ${r.device}]`);
    lines.push(`    expected: ${expectation(r.expected)}`);
    if (r.actual) lines.push(`    actual:   ${expectation(r.actual)}`);
    if (r.error) lines.push(`    error:    ${r.error}`);
    const shown = statusLine(r);
    if (shown) lines.push(`    phone:    ${shown}`);
    if (r.problem) lines.push(`    why:      ${r.problem}`);
    for (const c of r.checks.filter((c) => !c.passed)) lines.push(`    failed check: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
    lines.push(`    ${r.explanation}`);
    lines.push('');
  }
  return lines.join('\n');
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function renderScenarioReportMarkdown(report: ScenarioReport): string {
  const out = [
    '# LSC troubleshooting scenarios',
    '',
    `${summary(report)}, started ${report.startedAt}.`,
    '',
    '| | Scenario | Phone shows | Certificate Operation Status |',
    '|---|---|---|---|',
    ...report.results.map((r) => `| ${r.passed ? '✔' : '✘'} | ${md(r.title)} | ${md(r.actual?.phoneStatus ?? r.error ?? '')} | ${md(r.actual ? (r.actual.serverStatus ?? '(not in the table)') : '')} |`),
    '',
  ];
  for (const r of report.results) {
    out.push(`## ${r.passed ? '✔' : '✘'} ${r.title}`, '', r.explanation, '');
    out.push(`- Device: \`${r.device}\``);
    out.push(`- Expected: ${expectation(r.expected)}`);
    if (r.actual) out.push(`- Actual: ${expectation(r.actual)}`);
    if (r.problem) out.push(`- Why: ${r.problem}`);
    if (r.error) out.push(`- Error: ${r.error}`);
    if (r.checks.length) {
      out.push('', 'Checks:', '');
      for (const c of r.checks) out.push(`- [${c.passed ? 'x' : ' '}] ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
    }
    if (r.timeline.length) {
      out.push('', 'Phone timeline:', '', '```');
      for (const t of r.timeline) out.push(`${t.at.slice(11, 23)}  ${t.kind === 'status' ? t.text : `  · ${t.text}`}`);
      out.push('```');
    }
    out.push('');
  }
  return out.join('\n');
}
