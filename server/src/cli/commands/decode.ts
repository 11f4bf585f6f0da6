/** `itl-lens decode FILE [--json]`: the annotated view of a trust list or a certificate file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliCommand, CliIo, EXIT_OK, EXIT_PROBLEMS, parseArgs, single, UsageError } from '../io';
import { decodeTrustList } from '../../core/tlv/decode';
import { verifyTrustList } from '../../core/tlv/verify';
import { decodeCertificateFile } from '../../core/cert/certificateFile';
import { renderTrustListView } from '../../views/trustListView';
import { renderCertificateView } from '../../views/certificateView';
import { classifyFile } from '../../workspace/classifyFile';
import { toPlainJson } from '../../core/plainJson';
import { parseNow } from '../nowOption';
import { isSignedFilePath } from '../../shared/fileKinds';
import { decryptSignedFile } from '../../core/sgn/decrypt';
import { renderSignedFileView } from '../../views/signedFileView';
import { signedFileVerdict } from '../../trust/signedFileVerdict';
import { readSignedFile, trustFilesIn } from '../../trust/workspaceFiles';
import { verdictJson } from '../../trust/renderComparison';
import { readCertificate, readKey } from './build';

export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'print the annotated view of a .tlv trust list or a certificate file',
  usage: `Usage: itl-lens decode FILE [--json] [--now ISO-8601] [--key DEVICE-KEY.pem] [--device-cert CERT.pem ...]
  FILE           a .tlv trust list, a certificate file, or a signed file (.sgn, .sha512, .enc.sgn); a signed file
                 is checked against the ITLFile.tlv/CTLFile.tlv (or ITLSEP<MAC>.tlv) and certificates beside it
  --json         print the decoded model with byte offsets instead of the view
  --key          .enc.sgn: the device's private key (its LSC or MIC key): decrypts and shows the configuration
  --device-cert  companion .cnf.xml.sgn: device certificates, to tell which one its certHash names`,
  async run(args, io) {
    const p = parseArgs(args, { booleans: ['--json'], values: ['--now', '--key', '--device-cert'] });
    if (p.positionals.length !== 1) throw new UsageError('give exactly one FILE');
    const file = path.resolve(io.cwd, p.positionals[0]);
    const now = parseNow(single(p, '--now'));
    const shown = p.positionals[0];
    if (isSignedFilePath(file)) return decodeSigned(file, shown, now, p.flags.has('--json'), single(p, '--key'), p.options.get('--device-cert') ?? [], io);
    const bytes = fs.readFileSync(file);
    const kind = classifyFile(file, bytes);
    if (kind === 'trust-list' || kind === 'unknown') {
      const list = decodeTrustList(bytes, file);
      const signature = verifyTrustList(bytes, list);
      if (p.flags.has('--json')) io.out(JSON.stringify(toPlainJson({ file: shown, ...list, signature: { ...signature, signer: signature.signer?.index } }), null, 2) + '\n');
      else io.out(renderTrustListView(list, { fileName: shown, now, signature }).text);
      return list.problems.some((x) => x.severity === 'error') || signature.status !== 'valid' ? EXIT_PROBLEMS : EXIT_OK;
    }
    const certs = decodeCertificateFile(bytes);
    if (p.flags.has('--json')) io.out(JSON.stringify(toPlainJson({ file: shown, ...certs }), null, 2) + '\n');
    else io.out(renderCertificateView(certs, { fileName: shown, now }).text);
    return certs.entries.length === 0 || certs.entries.some((e) => !e.result.ok || e.result.problems.length) ? EXIT_PROBLEMS : EXIT_OK;
  },
};

function decodeSigned(file: string, shown: string, now: Date, json: boolean, keyFile: string | undefined, deviceCerts: string[], io: CliIo): number {
  const src = readSignedFile(file);
  const ctx = trustFilesIn(path.dirname(file));
  const v = signedFileVerdict(src, ctx);
  const decrypted = keyFile ? decryptSignedFile(src.file, readKey(path.resolve(io.cwd, keyFile))) : undefined;
  if (decrypted && !decrypted.ok) io.err(`itl-lens decode: ${decrypted.message}\n`);
  if (decrypted?.ok && decrypted.digestMatches === false) io.err('itl-lens decode: the decrypted configuration does not match CONTENTDIGEST\n');
  const plaintext = decrypted?.ok ? decrypted.plaintext : undefined;
  const f = src.file;
  if (json) {
    const { bytes, ...payload } = f.payload;
    const model = {
      file: shown,
      ...f,
      payload: { ...payload, ...(payload.type === 'xml' || payload.type === 'text' ? { text: bytes.toString('utf8') } : {}), ...(plaintext ? { decrypted: plaintext.toString('utf8') } : {}) },
      signer: { name: f.header.signerName, issuer: f.header.signerIssuer, serial: f.header.signerSerial },
      verdict: v.verdict ? verdictJson(v.verdict) : { line: v.line },
    };
    io.out(JSON.stringify(toPlainJson(model), null, 2) + '\n');
  } else {
    const devices = deviceCerts.map((c) => ({ name: c, der: readCertificate(path.resolve(io.cwd, c)) }));
    io.out(renderSignedFileView(f, { fileName: shown, now, verdict: v.line, plaintext, ...(devices.length ? { deviceCertificates: devices } : {}) }).text);
  }
  const bad = f.problems.some((x) => x.severity === 'error') || (v.verdict ? v.verdict.verdict !== 'accepted' : /does not verify/.test(v.line));
  return bad ? EXIT_PROBLEMS : EXIT_OK;
}
