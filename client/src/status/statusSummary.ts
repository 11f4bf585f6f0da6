/** The words of the ITL Lens language status item, from a WorkspaceStatus (pure: unit-tested without VS Code). */
import type { WorkspaceStatus } from '../../../server/src/shared/lspExtensions';

export type StatusLevel = 'error' | 'warning' | 'ok';

export interface StatusSummary {
  /** e.g. "3 trust lists, 1 error" */
  text: string;
  /** e.g. "2 certificates · 1 error · 0 warnings" */
  detail: string;
  level: StatusLevel;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function summarizeStatus(status: WorkspaceStatus): StatusSummary {
  const problems =
    status.errors > 0 ? plural(status.errors, 'error') : status.warnings > 0 ? plural(status.warnings, 'warning') : 'no problems';
  const detail = [plural(status.certificates, 'certificate'), plural(status.errors, 'error'), plural(status.warnings, 'warning')];
  if (status.indexing) detail.push(status.progress ? `indexing: ${status.progress.done.toLocaleString('en-US')} of ${status.progress.total.toLocaleString('en-US')} files read…` : 'indexing…');
  return {
    text: `${plural(status.trustLists, 'trust list')}, ${problems}`,
    detail: detail.join(' · '),
    level: status.errors > 0 ? 'error' : status.warnings > 0 ? 'warning' : 'ok',
  };
}
