/**
 * The language server's phone-trust checks over the workspace (issue 18), kept beside the index rather than in
 * it: continuity of every trust list against the deployed ones (itlLens.trust.deployed), and the signed files
 * (.sgn, .sha512, .enc.sgn) with what phones holding the workspace's ITL/CTL do with them. The session calls
 * it; the rules themselves are the pure ones of server/src/trust/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostic, Range } from 'vscode-languageserver-protocol';
import { decodeSignedFile } from '../core/sgn/decode';
import { inScopeOf } from '../rules/nearestFiles';
import { RuleDiagnostic } from '../rules/ruleDiagnostic';
import { applySeverityOverrides, SeverityOverrides } from '../rules/severity';
import { trustContinuityRules } from '../trust/continuityRules';
import { deployedMatcher } from '../trust/deployedLists';
import { SyncTvsOracle } from '../trust/model';
import { tvsKnowing } from '../trust/phoneTrust';
import { SignedFileContext, SignedFileSource, signedFileRules } from '../trust/signedFileRules';
import { signedFileVerdict } from '../trust/signedFileVerdict';
import { decryptWithFound, deviceKeysFor } from '../trust/deviceKeys';
import { renderSignedFileView } from '../views/signedFileView';
import { RenderedView } from '../views/viewModel';
import { EDITOR_MAX_DECODED_BYTES, tooLargeToDecodeMessage } from '../core/decodeLimit';
import { DecodedFile, DecodedTrustList, IndexedFile } from '../workspace/indexedFile';
import { MAX_INDEXED_FILE_BYTES } from '../workspace/scanFolders';
import { fileUri } from '../workspace/uris';
import { WorkspaceIndex } from '../workspace/workspaceIndex';
import { DiagnosticMapping, related, toLsp } from './lspDiagnostics';

/** What one flush needs, computed once: the deployed lists and the context signed files are checked in. */
export interface TrustSnapshot {
  /** the deployed lists, decoded whole (the index keeps summaries) */
  deployed: DecodedTrustList[];
  /** what TVS knows (itlLens.trust.tvsKnows), if the setting names it */
  tvs?: SyncTvsOracle;
  /** every trust list decoded whole, only when there are signed files to check against them */
  trustLists: DecodedTrustList[];
  /**
   * the DER of the workspace's certificates by serial (hex, leading zeros dropped): a signed file's signer is
   * looked up among those with its header's serial only, not decoded again per file
   */
  certificatesBySerial: Map<string, Buffer[]>;
}

/** A serial as a key: hex without leading zero bytes (signerMatch.ts sameSerial compares so). */
function serialKey(serial: Buffer): string {
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  return serial.subarray(i).toString('hex');
}

/** The same key from a summary's serialHex (hex digits, with or without colons). */
function hexSerialKey(hex: string): string {
  const digits = hex.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return serialKey(Buffer.from(digits.length % 2 ? `0${digits}` : digits, 'hex'));
}

/** A setting's paths or globs (trust/deployedLists.ts), matched against files; the matcher is made again only when the entries or the folders change. */
class PathGlobs {
  entries: string[] = [];
  private key = '';
  private matcher: (p: string) => boolean = () => false;

  constructor(private readonly folders: () => readonly string[]) {}

  /** true when the entries changed */
  set(entries: readonly string[]): boolean {
    if (entries.join('\n') === this.entries.join('\n')) return false;
    this.entries = [...entries];
    return true;
  }

  matches(p: string | undefined): boolean {
    if (!p || !this.entries.length) return false;
    const key = `${this.entries.join('\n')}\u0000${this.folders().join('\n')}`;
    if (key !== this.key) {
      this.matcher = deployedMatcher(this.entries, this.folders());
      this.key = key;
    }
    return this.matcher(p);
  }
}

export class TrustChecks {
  /** itlLens.trust.deployed */
  private readonly deployed: PathGlobs;
  /** itlLens.trust.tvsKnows */
  private readonly tvsKnows: PathGlobs;
  private readonly signed = new Map<string, SignedFileSource>();

  constructor(
    private readonly index: WorkspaceIndex,
    private readonly folders: () => readonly string[],
    /** the whole model of an indexed file (the session's decode, read again from disk when not cached) */
    private readonly decode: (f: IndexedFile) => DecodedFile | undefined,
  ) {
    this.deployed = new PathGlobs(folders);
    this.tvsKnows = new PathGlobs(folders);
  }

  private decodedTrustList(f: IndexedFile): DecodedTrustList | undefined {
    const d = this.decode(f);
    return d?.kind === 'trust-list' ? d : undefined;
  }

  // ---- deployed trust lists and continuity ----

  /** The setting's entries; true when they changed. */
  setDeployed(entries: readonly string[]): boolean {
    return this.deployed.set(entries);
  }

  /** itlLens.trust.tvsKnows; true when it changed. */
  setTvsKnows(entries: readonly string[]): boolean {
    return this.tvsKnows.set(entries);
  }

  /**
   * What the deployed cluster's TVS knows, when itlLens.trust.tvsKnows names its certificates: the DER of every
   * certificate in the matching certificate files of the index (decoded again: summaries keep no DER).
   */
  tvsOracle(): SyncTvsOracle | undefined {
    if (!this.tvsKnows.entries.length) return undefined;
    const known: Buffer[] = [];
    for (const f of this.index.certificateFiles()) {
      if (!this.tvsKnows.matches(f.path)) continue;
      const d = this.decode(f);
      if (d?.kind === 'certificate') for (const c of d.certificates) if (c.certificate) known.push(c.certificate.der);
    }
    return tvsKnowing(known);
  }

  /** Whether a file is one of the certificates TVS knows (a match of itlLens.trust.tvsKnows). */
  isTvsKnown(file: Pick<IndexedFile, 'kind' | 'path'>): boolean {
    return file.kind === 'certificate' && this.tvsKnows.matches(file.path);
  }

  /** Whether a file is one that phones hold now (a match of itlLens.trust.deployed). */
  isDeployed(file: Pick<IndexedFile, 'kind' | 'path'>): boolean {
    return file.kind === 'trust-list' && this.deployed.matches(file.path);
  }

  /** `extra`: a signed file outside the walk to check as well (a view opened from elsewhere). */
  snapshot(extra?: SignedFileSource): TrustSnapshot {
    const summaries = this.index.trustLists();
    const whole = (fs: IndexedFile[]) => fs.map((f) => this.decodedTrustList(f)).filter((f): f is DecodedTrustList => !!f);
    const deployed = this.deployed.entries.length ? whole(summaries.filter((f) => this.isDeployed(f))) : [];
    const certificatesBySerial = new Map<string, Buffer[]>();
    const tvs = deployed.length ? this.tvsOracle() : undefined;
    const signed = extra ? [...this.signed.values(), extra] : [...this.signed.values()];
    if (!signed.length) return { deployed, tvs, trustLists: [], certificatesBySerial };
    // Only the certificate files holding a signer's serial are decoded again (for their DER).
    const wanted = new Set<string>();
    for (const src of signed) if (src.file.header.signerSerial) wanted.add(serialKey(src.file.header.signerSerial));
    for (const f of this.index.certificateFiles()) {
      if (!f.certificates.some((c) => c.certificate && wanted.has(hexSerialKey(c.certificate.serialHex)))) continue;
      const decoded = this.decode(f);
      if (decoded?.kind !== 'certificate') continue;
      for (const c of decoded.certificates) {
        if (!c.certificate) continue;
        const key = serialKey(c.certificate.serial);
        if (!wanted.has(key)) continue;
        const list = certificatesBySerial.get(key);
        if (list) list.push(c.certificate.der);
        else certificatesBySerial.set(key, [c.certificate.der]);
      }
    }
    // Only the trust lists the rules can use are decoded again, not every list of the workspace at every flush:
    // those a phone beside a signed file holds (heldByPhone's scope: its folder, above or below), and those with
    // a certificate record of a signer's serial (findSignerCertificate). In the index's order, as before.
    const dirs = [...new Set(signed.map((src) => (src.path ? path.dirname(src.path) : '')))];
    const inScope = new Set(dirs.includes('') ? summaries : dirs.flatMap((d) => inScopeOf(path.join(d, '_'), summaries, (f) => f.path)));
    const namesSigner = (f: (typeof summaries)[number]) => f.records.some((r) => r.embedsCertificate && r.record.serial && wanted.has(serialKey(r.record.serial)));
    return { deployed, tvs, trustLists: whole(summaries.filter((f) => inScope.has(f) || namesSigner(f))), certificatesBySerial };
  }

  /** trust-update-rejected / trust-update-needs-tvs of a trust list that is not itself deployed. */
  continuity(file: IndexedFile, s: TrustSnapshot, severity: SeverityOverrides): RuleDiagnostic[] {
    if (file.kind !== 'trust-list' || !s.deployed.length || s.deployed.some((d) => d.uri === file.uri)) return [];
    const candidate = this.decodedTrustList(file);
    return candidate ? applySeverityOverrides(trustContinuityRules(s.deployed, [candidate], s.tvs), severity) : [];
  }

  // ---- signed files ----

  hasSigned(uri: string): boolean {
    return this.signed.has(uri);
  }

  signedUris(): string[] {
    return [...this.signed.keys()];
  }

  /** Reads and decodes a signed file; false when it is gone, too large or unchanged. */
  loadSigned(p: string): boolean {
    const uri = fileUri(p);
    let bytes: Buffer;
    try {
      const st = fs.statSync(p);
      if (!st.isFile() || st.size > MAX_INDEXED_FILE_BYTES) return this.dropSigned(uri);
      bytes = fs.readFileSync(p);
    } catch {
      return this.dropSigned(uri);
    }
    if (this.signed.get(uri)?.bytes.equals(bytes)) return false;
    this.signed.set(uri, { uri, path: p, bytes, file: decodeSignedFile(bytes, p) });
    return true;
  }

  /** Forgets a signed file; true when it was known. */
  dropSigned(uri: string): boolean {
    return this.signed.delete(uri);
  }

  /** The decoder's problems and the signed-file rules of one signed file, as LSP diagnostics on line 1. */
  signedDiagnostics(uri: string, s: TrustSnapshot, severity: SeverityOverrides, m: DiagnosticMapping): Diagnostic[] | undefined {
    const src = this.signed.get(uri);
    if (!src) return undefined;
    const problems: RuleDiagnostic[] = src.file.problems.map((p) => ({ code: p.code, severity: p.severity, message: p.message, target: { in: 'trust-list', range: p.range, section: 0 } }));
    const found = applySeverityOverrides([...problems, ...signedFileRules(src, contextOf(src, s))], severity);
    // The header is binary: editors show the file's first line; the byte range is in the message's target.
    return found.map((d) => toLsp(d, Range.create(0, 0, 0, 0), related(d, m), m));
  }

  /**
   * The decoded view of a signed file (views/signedFileView.ts), with the verdict of phones that hold the
   * workspace's trust lists (trust/signedFileVerdict.ts), as `itl-lens decode` prints it. Read from disk when
   * the file is not one the walk found (opened from elsewhere).
   */
  signedFileView(p: string, now: Date): RenderedView {
    const uri = fileUri(p);
    let src = this.signed.get(uri);
    if (!src) {
      const size = fs.statSync(p).size;
      if (size > EDITOR_MAX_DECODED_BYTES) throw new Error(tooLargeToDecodeMessage(size, EDITOR_MAX_DECODED_BYTES));
      const bytes = fs.readFileSync(p);
      src = { uri, path: p, bytes, file: decodeSignedFile(bytes, p) };
    }
    const ctx = contextOf(src, this.snapshot(src));
    // an encrypted configuration is shown decrypted when a device key that unwraps it is beside it or in the lab
    const found = deviceKeysFor(p, this.folders());
    const decrypted = decryptWithFound(src.file, found);
    const verdict = signedFileVerdict(src, ctx).line + (decrypted ? ` Decrypted with ${decrypted.keyName}.` : src.file.encryption ? ' Not decrypted: no device key in this folder or the lab\'s phones unwraps it.' : '');
    return renderSignedFileView(src.file, { fileName: p, now, verdict, plaintext: decrypted?.plaintext, ...(found.certificates.length ? { deviceCertificates: found.certificates } : {}) });
  }
}

/** What a signed file is checked against: the snapshot's trust lists and the certificates with its signer's serial. */
function contextOf(src: SignedFileSource, s: TrustSnapshot): SignedFileContext {
  const serial = src.file.header.signerSerial;
  return { trustLists: s.trustLists, certificates: (serial && s.certificatesBySerial.get(serialKey(serial))) || [] };
}
