/**
 * Rules for signed files (.sgn, .sha512, .enc.sgn), checked the way a phone checks them (reference parts E and
 * G): against the CTL/ITL that phone holds among the workspace's trust lists, with TVS as the fallback.
 * Also the configuration's CAPF settings against the CAPF record of that ITL. Pure: inputs are decoded.
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { decodeCertificate } from '../core/cert/decodeCertificate';
import { signatureVerifiesWith } from '../core/tlv/verify';
import { findElement, ByteRange } from '../core/tlv/model';
import { HeaderTag } from '../core/tlv/tags';
import { SignedFile } from '../core/sgn/model';
import { configFacts, CAPF_AUTH_MODES } from '../core/sgn/configFacts';
import { RULE_CODES } from '../rules/codes';
import { DiagnosticTarget, RelatedTarget, RuleDiagnostic } from '../rules/ruleDiagnostic';
import { recordLabel } from '../rules/targets';
import { Role, SyncTvsOracle, PhoneVerdict } from './model';
import { phoneVerdict } from './phoneTrust';
import { signedFileDownload } from './downloads';
import { heldByPhone, WorkspaceTrustList, HeldSources } from './heldLists';
import { describeSigner } from './records';
import { certificateKey, headerNamesRecord } from './signerMatch';

export interface SignedFileSource {
  uri: string;
  path?: string;
  bytes: Buffer;
  file: SignedFile;
}

export interface SignedFileContext {
  trustLists: WorkspaceTrustList[];
  /** DER certificates of the workspace's certificate files (the signer's certificate, for TVS) */
  certificates: Buffer[];
  /** what TVS knows, when the caller can say (the lab's TVS store) */
  tvs?: SyncTvsOracle;
}

const CAPF_PORT = 3804;

function headerTarget(file: SignedFile, tag: number): DiagnosticTarget {
  const e = findElement(file.header.elements, tag);
  return e ? { in: 'trust-list', range: e.range, section: 0, tag } : { in: 'trust-list', range: file.header.range, section: 0 };
}

function bytesTarget(range: ByteRange): DiagnosticTarget {
  return { in: 'trust-list', range, section: 0 };
}

function nameOf(src: SignedFileSource): string {
  return path.basename(src.path ?? decodeURIComponent(src.uri));
}

/** The signer's certificate: a trust-list record or a certificate file with the header's issuer and serial. */
export function findSignerCertificate(file: SignedFile, ctx: SignedFileContext): Buffer | undefined {
  for (const t of ctx.trustLists) {
    const r = t.list.records.find((x) => x.certificate && headerNamesRecord(file.header, x));
    if (r?.certificate) return r.certificate;
  }
  return ctx.certificates.find((der) => certificateNamedBy(file, der));
}

function certificateNamedBy(file: SignedFile, der: Buffer): boolean {
  const r = decodeCertificate(der);
  return r.ok && headerNamesRecord(file.header, { index: 0, range: { start: 0, end: 0 }, elements: [], serial: r.certificate.serial, issuer: r.certificate.issuer.cucm });
}

function heldRelated(h: HeldSources, roles: readonly number[]): RelatedTarget[] {
  const out: RelatedTarget[] = [];
  for (const src of [h.ctl, h.itl]) {
    if (!src) continue;
    for (const r of src.list.records.filter((x) => x.role !== undefined && roles.includes(x.role))) {
      out.push({ uri: src.uri, target: { in: 'trust-list', range: r.range, section: r.index }, message: `The phone trusts ${recordLabel(r)} of ${path.basename(src.path ?? src.uri)}` });
    }
  }
  return out;
}

function listNames(h: HeldSources): string {
  return [h.ctl, h.itl]
    .filter((x): x is WorkspaceTrustList => !!x)
    .map((x) => path.basename(x.path ?? x.uri))
    .join(' and ');
}

function verdictFindings(src: SignedFileSource, h: HeldSources, v: PhoneVerdict): RuleDiagnostic[] {
  const file = src.file;
  const signer = describeSigner(file.header);
  const steps = v.recovery.map((s) => s.action).join(' ');
  if (v.verdict === 'accepted') return [];
  if (v.verdict === 'accepted-via-tvs') {
    return [
      {
        code: 'sgn-signer-via-tvs',
        severity: RULE_CODES['sgn-signer-via-tvs'],
        message: `The signer ${signer} is no TFTP or CCM+TFTP record of ${listNames(h)}: phones accept this file only if TVS (${v.tvs?.ask.map((r) => `record #${r.index}`).join(', ')}) knows that certificate; otherwise they ignore it and keep their old configuration. Restart the Cisco TFTP service so that the ITL carries the certificate that signs the configuration files.`,
        target: headerTarget(file, HeaderTag.SIGNER_INFO),
        related: heldRelated(h, [Role.TVS]),
      },
    ];
  }
  switch (v.rejection) {
    case 'signer-not-trusted':
    case 'tvs-unknown':
      return [
        {
          code: 'sgn-signer-untrusted',
          severity: RULE_CODES['sgn-signer-untrusted'],
          message: `The signer ${signer} is no TFTP or CCM+TFTP record of ${listNames(h)}${v.rejection === 'tvs-unknown' ? ', and TVS does not know it' : ' and no TVS there can vouch for it'}: phones ignore this file and keep their old configuration (changes on the CUCM page do not take effect; console: ${v.phoneConsole}). ${steps}`,
          target: headerTarget(file, HeaderTag.SIGNER_INFO),
          related: heldRelated(h, [Role.TFTP, Role.CCM_TFTP]),
        },
      ];
    case 'signature-invalid':
    case 'unsigned':
      return [sgnSignatureInvalid(file, v.reason)];
    case 'unsupported-hash':
      return [
        {
          code: 'signature-unsupported',
          severity: RULE_CODES['signature-unsupported'],
          message: `${v.reason} ${steps}`,
          target: headerTarget(file, HeaderTag.HASH_ALGORITHM),
        },
      ];
    default:
      return []; // malformed: the decoder's problems say why
  }
}

function sgnSignatureInvalid(file: SignedFile, why: string): RuleDiagnostic {
  return {
    code: 'sgn-signature-invalid',
    severity: RULE_CODES['sgn-signature-invalid'],
    message: `${why} Phones ignore the file and keep their old configuration. Copy the file again from the TFTP server in binary mode; if the server copy is bad too, restart the Cisco TFTP service to rebuild it.`,
    target: headerTarget(file, HeaderTag.SIGNATURE),
  };
}

/** FILENAME against the name phones ask for (the file's own name); a `.sha512` may carry the `.sgn` name [I]. */
export function filenameFindings(src: SignedFileSource): RuleDiagnostic[] {
  const f = src.file.header.filename;
  if (f === undefined) return [];
  const tagged = f.split(/[\\/]/).pop() ?? f;
  const own = nameOf(src);
  const stem = (n: string) => n.replace(/\.(sgn|sha512)$/i, '');
  if (tagged.toLowerCase() === own.toLowerCase() || stem(tagged).toLowerCase() === stem(own).toLowerCase()) return [];
  return [
    {
      code: 'sgn-filename-mismatch',
      severity: RULE_CODES['sgn-filename-mismatch'],
      message: `FILENAME says ${f}, but the file is named ${own}: phones ask for ${own} and expect its header to name it; the file was renamed or copied from another device. Take the file the TFTP server serves under this name (or rebuild it: restart the Cisco TFTP service, reset the phone).`,
      target: headerTarget(src.file, HeaderTag.FILENAME),
    },
  ];
}

/** capfList and capfAuthMode of a configuration against the CAPF record of the ITL the phone holds. */
export function capfConfigFindings(src: SignedFileSource, h: HeldSources): RuleDiagnostic[] {
  const facts = configFacts(src.file.payload.xml);
  if (!facts.isDeviceConfig) return [];
  const out: RuleDiagnostic[] = [];
  for (const c of facts.capf) {
    if (c.portText !== undefined && c.port !== CAPF_PORT) {
      out.push({
        code: 'cnf-capf-port',
        severity: RULE_CODES['cnf-capf-port'],
        message: `The capfList sends the phone to CAPF on port ${c.portText}${c.host ? ` of ${c.host}` : ''}; CUCM's CAPF service listens on TCP ${CAPF_PORT}. LSC installs and upgrades fail unless CAPF really listens there: set the CAPF phone port back to ${CAPF_PORT} (Cisco Unified CM Administration > System > Service Parameters > Cisco Certificate Authority Proxy Function) and reset the phone.`,
        target: bytesTarget(c.portRange ?? c.range),
      });
    }
  }
  const mode = facts.capfAuthMode;
  if (mode && !(mode.value in CAPF_AUTH_MODES)) {
    out.push({
      code: 'cnf-capf-auth-mode',
      severity: RULE_CODES['cnf-capf-auth-mode'],
      message: `capfAuthMode ${mode.value || '(empty)'} is none of 0–4 (${Object.entries(CAPF_AUTH_MODES).map(([k, v]) => `${k} ${v}`).join(', ')}): the phone cannot start a certificate operation. Set the Authentication Mode on the phone page (Certificate Authority Proxy Function (CAPF) Information) and reset the phone.`,
      target: bytesTarget(mode.range),
    });
  }
  const wantsCapf = facts.capf.length > 0 && mode !== undefined && mode.value !== '0';
  if (wantsCapf && h.itl && !h.itl.list.records.some((r) => r.role === Role.CAPF)) {
    out.push({
      code: 'cnf-capf-untrusted',
      severity: RULE_CODES['cnf-capf-untrusted'],
      message: `The configuration asks for a certificate operation (capfAuthMode ${mode!.value}: ${CAPF_AUTH_MODES[mode!.value] ?? 'unknown'}), but ${path.basename(h.itl.path ?? h.itl.uri)} has no CAPF record: the phone cannot trust CAPF and the LSC operation fails. Verify that the Cisco Certificate Authority Proxy Function service is activated, restart the Cisco TFTP service so the ITL carries the CAPF certificate, then reset the phone.`,
      target: bytesTarget(mode!.range),
      related: [{ uri: h.itl.uri, target: { in: 'trust-list', range: { start: 0, end: h.itl.list.size }, line: 'summary' }, message: 'The ITL without a CAPF record' }],
    });
  }
  return out;
}

export function signedFileRules(src: SignedFileSource, ctx: SignedFileContext): RuleDiagnostic[] {
  const file = src.file;
  if (file.size === 0) return [];
  const name = nameOf(src);
  const h = heldByPhone(name, src.path, ctx.trustLists);
  const signerCertificate = findSignerCertificate(file, ctx);
  const out: RuleDiagnostic[] = [...filenameFindings(src)];
  if (file.stoppedAt !== undefined) return out; // the decoder's tlv-too-many-elements says why nothing is checked
  if (!h.held.itl && !h.held.ctl) {
    // Nothing to judge the signer against; the signature itself can still be checked with a known certificate.
    const sig = file.header.signature;
    const verifies = signerCertificate ? signatureVerifiesWith(src.bytes, file.header, certificateKey(signerCertificate)) : undefined;
    if (!sig || sig.truncated || sig.raw.length === 0) out.push(sgnSignatureInvalid(file, 'The file carries no complete SIGNATURE.'));
    else if (verifies === false) out.push(sgnSignatureInvalid(file, `The signature does not verify with the signer's certificate (${describeSigner(file.header)}): the file was changed after it was signed.`));
    else {
      const serial = describeSigner(file.header);
      out.push({
        code: 'sgn-signer-unchecked',
        severity: RULE_CODES['sgn-signer-unchecked'],
        message: `No ITL or CTL beside this file: ITL Lens cannot tell whether phones trust its signer ${serial}. Download the ITLFile.tlv (and CTLFile.tlv in mixed mode) the phones hold from the TFTP server into this folder.${signerCertificate ? ` The signature verifies with the signer's certificate (SHA-1 ${createHash('sha1').update(signerCertificate).digest('hex')}).` : ''}`,
        target: headerTarget(file, HeaderTag.SIGNER_INFO),
      });
    }
    return out;
  }
  const v = phoneVerdict(h.held, signedFileDownload(src.bytes, file, name, signerCertificate), ctx.tvs);
  out.push(...verdictFindings(src, h, v));
  out.push(...capfConfigFindings(src, h));
  return out;
}
