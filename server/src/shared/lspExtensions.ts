/**
 * Every custom LSP message between the ITL Lens client and server, declared once and imported by both
 * (the habit of vscode-eslint's customMessages.ts and rust-analyzer's lsp_ext.ts).
 * Also the shared naming of decoded-view URIs: `itl-lens-view:<source path>.itlview?<source uri>`.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import { isCertificateFilePath, isSignedFilePath, isTrustListPath } from './fileKinds';

export const VIEW_SCHEME = 'itl-lens-view';
export const TRUST_LIST_VIEW_LANGUAGE = 'itl-view';
export const CERTIFICATE_VIEW_LANGUAGE = 'cert-view';
export const TRUST_LIST_VIEW_EXTENSION = '.itlview';
export const CERTIFICATE_VIEW_EXTENSION = '.certview';

export type ViewKind = 'trust-list' | 'certificate';

/** The view URI for a source file URI (the path keeps the file name, so tabs read "ITLFile.tlv.itlview"). */
export function viewUriForSource(sourceUri: string, kind: ViewKind): string {
  const path = sourceUri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const ext = kind === 'trust-list' ? TRUST_LIST_VIEW_EXTENSION : CERTIFICATE_VIEW_EXTENSION;
  return `${VIEW_SCHEME}:${path}${ext}?${encodeURIComponent(sourceUri)}`;
}

/** The source file URI a view URI stands for, or undefined if it is not a view URI. */
export function sourceUriForView(viewUri: string): string | undefined {
  if (!viewUri.startsWith(`${VIEW_SCHEME}:`) || isComparisonViewUri(viewUri)) return undefined;
  const q = viewUri.indexOf('?');
  if (q < 0) return undefined;
  try {
    return decodeURIComponent(viewUri.slice(q + 1));
  } catch {
    return undefined;
  }
}

export function viewKindForPath(path: string): ViewKind | undefined {
  // a signed file's header is a trust list's TLV header: its view is a trust-list view (same grammar)
  if (isTrustListPath(path) || isSignedFilePath(path)) return 'trust-list';
  if (isCertificateFilePath(path)) return 'certificate';
  return undefined;
}

// ---- decoded views ----

export interface DecodedViewParams {
  /** the source file (file:// or any scheme the client can read) */
  sourceUri: string;
}
export interface DecodedViewResult {
  viewUri: string;
  kind: ViewKind;
  text: string;
}
/** Renders the decoded view of a source file. The client's TextDocumentContentProvider calls it. */
export const DecodedViewRequest = new RequestType<DecodedViewParams, DecodedViewResult, void>('itlLens/decodedView');

export interface ViewChangedParams {
  sourceUri: string;
  viewUri: string;
}
/** Server → client: the source changed on disk; the client refreshes the view document. */
export const ViewChangedNotification = new NotificationType<ViewChangedParams>('itlLens/viewChanged');

export interface ByteOffsetParams {
  viewUri: string;
  line: number;
}
export interface ByteOffsetResult {
  sourceUri: string;
  offset: number;
  length: number;
}
/** The source byte range a view line describes (for "Reveal in Hex Editor"). */
export const ByteOffsetRequest = new RequestType<ByteOffsetParams, ByteOffsetResult | null, void>('itlLens/byteOffset');

/**
 * `Diagnostic.data` of diagnostics the server publishes on a binary source file (.tlv, DER): the bytes the
 * diagnostic is about, and the line of the decoded view that shows them (for "Reveal in Hex Editor").
 */
export interface SourceDiagnosticData {
  byteOffset: number;
  byteLength: number;
  viewUri: string;
  viewLine: number;
}

// ---- workspace status ----

export interface WorkspaceStatus {
  trustLists: number;
  certificates: number;
  errors: number;
  warnings: number;
  /**
   * source URIs that have at least one error (for Explorer decorations); sent when it changed since the last
   * status, omitted otherwise (a cluster's export can have thousands)
   */
  filesWithErrors?: string[];
  /** true while the first index runs */
  indexing: boolean;
  /** while indexing: files read so far and files found */
  progress?: { done: number; total: number };
}
/** Server → client whenever the index or its diagnostics change. */
export const WorkspaceStatusNotification = new NotificationType<WorkspaceStatus>('itlLens/workspaceStatus');

// ---- the local CAPF lab (runs in the server process) ----

export interface LabStartParams {
  /** lab state folder (absolute); default: <workspace>/.itl-lens-lab */
  stateDir?: string;
  host?: string;
  port?: number;
  /** the lowest TLS version the server accepts: '1.0' | '1.1' | '1.2' (default; itlLens.lab.tlsMin) */
  tlsMin?: string;
}
export interface LabServerInfo {
  running: boolean;
  host?: string;
  port?: number;
  /** the lowest TLS version the running server accepts ('1.0', '1.1', '1.2') */
  tlsMin?: string;
  stateDir?: string;
  capfCertificatePath?: string;
}
/** The tlsMin values below TLS 1.2, for which the server lowers OpenSSL's security level to 0 (lab/capf/service/tlsMin.ts). */
export const LEGACY_TLS_MINS: readonly string[] = ['1.0', '1.1'];
export const LabStartServerRequest = new RequestType<LabStartParams, LabServerInfo, void>('itlLens/lab/startServer');
export const LabStopServerRequest = new RequestType<void, LabServerInfo, void>('itlLens/lab/stopServer');
export const LabServerInfoRequest = new RequestType<void, LabServerInfo, void>('itlLens/lab/serverInfo');

export interface LabInstallTestParams {
  /** trust list to load into the phone; default: one the lab builds around its CAPF certificate */
  itlUri?: string;
  device?: string;
  stateDir?: string;
}
export interface LabInstallTestResult {
  success: boolean;
  /** phone status messages, in order */
  timeline: Array<{ at: string; message: string }>;
  /** the server's Certificate Operation Status */
  operationStatus?: string;
  /** where the issued LSC was written (PEM) */
  lscPath?: string;
  /** a readable report */
  report: string;
}
/** Runs the phone emulator against the running (or an auto-started) lab server. Reports $/progress. */
export const LabInstallTestRequest = new RequestType<LabInstallTestParams, LabInstallTestResult, void>('itlLens/lab/installTest');

export interface LabPhoneBootTestParams {
  /** default SEP001122334455 */
  device?: string;
  /** lab folder (absolute); default: <workspace>/.itl-lens-lab, whose tftp/ folder the workspace indexes */
  stateDir?: string;
  /** "delete the ITL on the phone" first: it then trusts the first ITL it gets */
  deleteItl?: boolean;
}
/** One file the booting phone asked the lab TFTP server for. */
export interface LabBootFile {
  name: string;
  kind: 'CTL' | 'ITL' | 'config';
  found: boolean;
  /** the served file in the lab folder's tftp/ (file://), when the server had it */
  uri?: string;
  /** the phone's verdict on it: accepted, accepted-via-tvs, rejected; "unchanged" when it already held these bytes */
  verdict?: string;
  /** why the phone accepted or rejected it */
  reason?: string;
  /** why it could not be fetched (other than File Not Found) */
  problem?: string;
}
export interface LabPhoneBootTestResult {
  success: boolean;
  /** phone status and detail messages, in order */
  timeline: Array<{ at: string; message: string }>;
  files: LabBootFile[];
  /** the lab folder's TFTP root (what the workspace indexes) */
  tftpRoot: string;
  operationStatus?: string;
  lscPath?: string;
  /** markdown: the servers, each downloaded file (linked to its file, which opens as its decoded view), the timeline, the result */
  report: string;
}
/**
 * `itl-lens lab` in the editor: a one-shot lab (CAPF, TFTP and TVS on loopback and free ports) in which the
 * phone boots from TFTP, judges its trust lists and signed configuration, then installs its LSC; everything is
 * stopped afterwards. $/progress: one message per phone step. Cancellable: cancel ends the run and its servers.
 */
export const LabPhoneBootTestRequest = new RequestType<LabPhoneBootTestParams, LabPhoneBootTestResult, void>('itlLens/lab/phoneBootTest');

/**
 * The scenarios always run in a throw-away lab of their own (a temporary folder): they regenerate the CAPF
 * certificate, stop servers and schedule failures, none of which may touch the user's lab.
 */
export type LabScenariosParams = Record<string, never>;
export interface LabScenariosResult {
  passed: number;
  failed: number;
  /** markdown report with each scenario's expected and actual outcome */
  report: string;
}
export const LabScenariosRequest = new RequestType<LabScenariosParams, LabScenariosResult, void>('itlLens/lab/scenarios');

export interface LabDeviceTableResult {
  path: string;
}
/** Ensures the lab state exists and returns the device table's path (for "Edit CAPF Device Table"). */
export const LabDeviceTableRequest = new RequestType<LabStartParams, LabDeviceTableResult, void>('itlLens/lab/deviceTable');

/**
 * Workspace trust, as the client knows it. The lab requests above start servers, write keys and run
 * phones from the workspace's settings, so the server serves them only in a trusted workspace: the client
 * says so in `initializationOptions.workspaceTrusted` (absent = not trusted) and with this notification
 * when the user grants trust later. The client checks too; this is the second check.
 */
export interface WorkspaceTrustParams {
  trusted: boolean;
}
export const WorkspaceTrustNotification = new NotificationType<WorkspaceTrustParams>('itlLens/workspaceTrust');

/** Client commands the server's code lenses and links invoke. */
export const Commands = {
  openDecodedView: 'itlLens.openDecodedView',
  revealInHexEditor: 'itlLens.revealInHexEditor',
  startCapfServer: 'itlLens.startCapfServer',
  stopCapfServer: 'itlLens.stopCapfServer',
  runLscInstallTest: 'itlLens.runLscInstallTest',
  runLscScenarios: 'itlLens.runLscScenarios',
  editCapfDeviceTable: 'itlLens.editCapfDeviceTable',
  compareTrustLists: 'itlLens.compareTrustLists',
  /** runs git: trusted workspaces only */
  compareWithCommitted: 'itlLens.compareWithCommitted',
  runPhoneBootTest: 'itlLens.runPhoneBootTest',
} as const;

// ---- trust-list comparisons (issue 18) ----

export const COMPARISON_VIEW_LANGUAGE = 'itl-compare';
export const COMPARISON_VIEW_EXTENSION = '.itlcompare';

/** The two files of a comparison: phones hold `heldUri` (at `heldRevision`, else as on disk) and download `newUri`. */
export interface ComparisonSources {
  heldUri: string;
  newUri: string;
  /** 'HEAD': the held side is the file as last committed to git (`git show HEAD:<path>`) */
  heldRevision?: 'HEAD';
}

/**
 * `itl-lens-view:<new path>.itlcompare?<encodeURIComponent(JSON {held, new, rev?})>`: a read-only comparison
 * document. One encoded query value, like the decoded views': VS Code decodes a query when it parses a URI and
 * encodes it again in its own way (`=` and `&` too), so only a value decoded whole survives the round trip.
 */
export function comparisonViewUri(s: ComparisonSources): string {
  const path = s.newUri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const query = JSON.stringify({ held: s.heldUri, new: s.newUri, ...(s.heldRevision ? { rev: s.heldRevision } : {}) });
  return `${VIEW_SCHEME}:${path}${COMPARISON_VIEW_EXTENSION}?${encodeURIComponent(query)}`;
}

export function isComparisonViewUri(uri: string): boolean {
  if (typeof uri !== 'string') return false;
  const q = uri.indexOf('?');
  return uri.startsWith(`${VIEW_SCHEME}:`) && q > 0 && uri.slice(0, q).endsWith(COMPARISON_VIEW_EXTENSION);
}

/** The sources a comparison URI names (in either spelling), or undefined. */
export function comparisonSourcesOf(uri: string): ComparisonSources | undefined {
  if (!isComparisonViewUri(uri)) return undefined;
  let q: unknown;
  try {
    q = JSON.parse(decodeURIComponent(uri.slice(uri.indexOf('?') + 1)));
  } catch {
    return undefined;
  }
  if (typeof q !== 'object' || q === null) return undefined;
  const { held, new: next, rev } = q as Record<string, unknown>;
  if (typeof held !== 'string' || typeof next !== 'string' || !held || !next) return undefined;
  return { heldUri: held, newUri: next, ...(rev === 'HEAD' ? { heldRevision: 'HEAD' as const } : {}) };
}

export interface ComparisonViewParams {
  /** a comparisonViewUri */
  viewUri: string;
}
export interface ComparisonViewResult {
  viewUri: string;
  text: string;
  /** 'accepted' | 'accepted-via-tvs' | 'rejected' */
  verdict: string;
}
/**
 * Compares two trust lists (itl-lens compare): will phones that hold the first accept the second, and what
 * changes for them. Fails with a message when a side is not a trust list, or not committed to git (rev=HEAD).
 */
export const ComparisonViewRequest = new RequestType<ComparisonViewParams, ComparisonViewResult, void>('itlLens/comparisonView');
