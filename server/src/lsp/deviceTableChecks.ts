/**
 * The CAPF device tables (capf-devices.json) the language server checks: open ones on their text, the others
 * as saved, in the workspace folders and in each folder's lab folder. Their findings (deviceTableRules.ts) are
 * published on the table and re-checked when a deadline comes within the hour or passes. The workspace
 * session (workspaceSession.ts) tells it what the editor and the disk did.
 */
import * as path from 'node:path';
import { DEFAULT_LAB_DIR } from '../lab/model/labLayout';
import { DeviceTableDiagnostic, ScheduledDeadline, deadlineFindings, deviceTableProblems, isDeviceTablePath, nextDeadlineChange, readDeadlines } from '../rules/deviceTableRules';
import { applySeverityOverrides, SeverityOverrides } from '../rules/severity';
import { isInSkippedFolder, isSameOrUnder, readIndexedFileSync } from '../workspace/scanFolders';
import { canonicalUri, fileUri, uriToPath } from '../workspace/uris';
import { DiagnosticPublisher } from './diagnosticPublisher';
import { deviceTableLspDiagnostics } from './lspDiagnostics';

/** A later deadline check is re-armed from a 10-minute timer: timers stand still while the machine sleeps. */
const MAX_RECHECK_DELAY_MS = 600_000;
/** …and never sooner than a second: a clock that stands still (tests) must not make the timer spin. */
const MIN_RECHECK_DELAY_MS = 1_000;

/** A table's text and the deadlines read from it, under its own URI. */
interface TableText {
  uri: string;
  text: string;
  deadlines: ScheduledDeadline[];
}

/** What the checks need of the session. */
export interface DeviceTableHost {
  now(): Date;
  severity(): SeverityOverrides;
  docsUri?: string;
  publisher: DiagnosticPublisher;
  /** the workspace folder a path is in, if any */
  folderOf(p: string): string | undefined;
  /** the tables' findings changed: the workspace status (whose counts include them) goes out again */
  changed(): void;
}

export class DeviceTableChecks {
  /** open in the editor, by canonical URI */
  private readonly open = new Map<string, TableText>();
  /** as saved, by file URI; of these the structure is checked too (open, the JSON schema does that) */
  private readonly onDisk = new Map<string, TableText & { problems: DeviceTableDiagnostic[] }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly host: DeviceTableHost) {}

  isOpen(canonical: string): boolean {
    return this.open.has(canonical);
  }

  /** The path of a table open in the editor (for the status hover), else undefined. */
  openTablePath(uri: string): string | undefined {
    if (typeof uri !== 'string') return undefined;
    const canonical = canonicalUri(uri);
    return this.open.has(canonical) ? uriToPath(canonical) : undefined;
  }

  /** The editor opened or changed a table: it is checked on its text, not on disk. */
  opened(uri: string, text: string): void {
    if (typeof uri !== 'string' || typeof text !== 'string') return;
    const canonical = canonicalUri(uri);
    if (!isDeviceTablePath(uriToPath(canonical) ?? uri)) return;
    this.open.set(canonical, { uri, text, deadlines: readDeadlines(text) });
    this.publish();
  }

  /** The editor closed a table: the saved one counts again (closed without saving, its edits are gone). */
  closed(uri: string): void {
    const canonical = canonicalUri(uri);
    if (!this.open.delete(canonical)) return;
    this.host.publisher.clear(canonical);
    const p = uriToPath(canonical);
    if (p && this.isWatched(p)) this.load(p);
    this.publish();
  }

  /** Reads a table from disk; one gone or unreadable is dropped. Not published here: callers publish once after a batch. */
  load(p: string): void {
    const uri = fileUri(p);
    const bytes = readIndexedFileSync(p);
    if (!bytes) {
      this.drop(uri);
      return;
    }
    const text = bytes.toString('utf8');
    if (this.onDisk.get(uri)?.text === text) return;
    this.onDisk.set(uri, { uri, text, deadlines: readDeadlines(text), problems: deviceTableProblems(text) });
  }

  drop(uri: string): void {
    if (this.onDisk.delete(uri) && !this.open.has(uri)) this.host.publisher.clear(uri);
  }

  /** Drops the saved tables under a deleted folder. */
  dropUnder(folder: string): void {
    for (const u of [...this.onDisk.keys()]) if (isSameOrUnder(uriToPath(u) ?? '', folder)) this.drop(u);
  }

  /** Drops the saved tables no longer watched (their workspace folder was removed). */
  dropUnwatched(): void {
    for (const u of [...this.onDisk.keys()]) if (!this.isWatched(uriToPath(u))) this.drop(u);
  }

  /**
   * Tables checked from disk: in a workspace folder outside the folders the walk skips, or right in a folder's
   * lab folder (<folder>/.itl-lens-lab, where the lab keeps its table).
   */
  isWatched(p: string | undefined): boolean {
    const folder = p && isDeviceTablePath(p) ? this.host.folderOf(p) : undefined;
    if (!p || folder === undefined) return false;
    return !isInSkippedFolder(p, folder) || path.dirname(p) === path.join(folder, DEFAULT_LAB_DIR);
  }

  /** check, then tell the session (the workspace status counts the tables' findings). */
  publish(): void {
    this.check();
    this.host.changed();
  }

  /**
   * Checks every table against the clock and publishes the findings, then arms one timer for the next instant
   * any of them changes (a deadline coming within the hour, or passing).
   */
  check(): void {
    const now = this.host.now();
    let next: number | undefined;
    const check = (key: string, t: TableText, problems: DeviceTableDiagnostic[]) => {
      const found = applySeverityOverrides([...problems, ...deadlineFindings(t.deadlines, now)], this.host.severity());
      this.host.publisher.publish(key, 'source', t.uri, deviceTableLspDiagnostics(t.text, found, { docsUri: this.host.docsUri }));
      const change = nextDeadlineChange(t.deadlines, now)?.getTime();
      if (change !== undefined && (next === undefined || change < next)) next = change;
    };
    for (const [key, t] of this.open) check(key, t, []);
    for (const [key, t] of this.onDisk) if (!this.open.has(key)) check(key, t, t.problems);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (next !== undefined) {
      this.timer = setTimeout(() => this.publish(), Math.min(Math.max(next - now.getTime(), MIN_RECHECK_DELAY_MS), MAX_RECHECK_DELAY_MS));
      this.timer.unref();
    }
  }
}
