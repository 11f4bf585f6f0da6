/** `itl-lens build`: writes and signs a .tlv from a signer (certificate + key) and role=certificate records. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPrivateKey, KeyObject } from 'node:crypto';
import { CliCommand, EXIT_OK, parseArgs, single, UsageError } from '../io';
import { buildTrustList, DigestName, isTlvLayoutName, RecordSpec, TLV_LAYOUTS } from '../../core/tlv/build';
import { roleFromName } from '../../core/tlv/tags';
import { findPemBlocks } from '../../core/cert/pem';
import { writeFileAtomic } from '../../core/fs/atomicWrite';
import { parseNow } from '../nowOption';

const USAGE = `Usage: itl-lens build --signer SIGNER.pem --record ROLE=CERT.pem[:hash] ... -o OUT.tlv
                      [--digest sha1|sha512] [--signer-version 1.0|1.1] [--filename NAME] [--now ISO-8601]
                      [--layout cucm|tlvfile]
  SIGNER.pem  the signing certificate and its private key (PEM); it should also appear as a SAST record
  ROLE        SAST, CCM, CCM+TFTP, TFTP, CAPF, APP-SERVER, TVS (or a number)
  :hash       write a hash-only record (no CERTIFICATE), as CUCM does for CAPF and TVS
  --filename  the FILENAME element (default ITLFile.tlv, or CTLFile.tlv when OUT starts with CTL)
  --layout    cucm (default: ';' names, CN first, tags ascending) or tlvfile (',' names in the certificate's
              order, record tags 1,3,5,6,4,7,8,9, as usecallmanagernz tlvfile writes them)`;

/** The first certificate of a PEM file (or the DER file itself). */
export function readCertificate(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  const text = bytes.toString('latin1');
  if (!text.includes('-----BEGIN')) return bytes;
  const block = findPemBlocks(text).find((b) => b.label === 'CERTIFICATE');
  if (!block) throw new UsageError(`${file} holds no CERTIFICATE block`);
  return block.der;
}

/** The private key of a PEM file (certificate + key, like --signer). */
export function readKey(file: string): KeyObject {
  const text = fs.readFileSync(file, 'utf8');
  const block = findPemBlocks(text).find((b) => /PRIVATE KEY$/.test(b.label));
  if (!block) throw new UsageError(`${file} holds no private key (PRIVATE KEY, RSA PRIVATE KEY)`);
  return createPrivateKey(text.slice(block.start, block.end));
}

export const buildCommand: CliCommand = {
  name: 'build',
  summary: 'write and sign a .tlv trust list from a signer and role=certificate records',
  usage: USAGE,
  async run(args, io) {
    const p = parseArgs(args, { values: ['--signer', '--record', '--digest', '--signer-version', '--filename', '-o', '--out', '--now', '--layout'] });
    if (p.positionals.length) throw new UsageError(`unexpected argument ${p.positionals[0]}`);
    const signerFile = single(p, '--signer');
    const out = single(p, '-o') ?? single(p, '--out');
    if (!signerFile) throw new UsageError('--signer is required');
    if (!out) throw new UsageError('-o OUT.tlv is required');
    const digest = (single(p, '--digest') ?? 'sha1') as DigestName;
    if (!['sha1', 'sha256', 'sha512'].includes(digest)) throw new UsageError(`--digest must be sha1 or sha512 (or sha256), not ${digest}`);
    const signerVersion = single(p, '--signer-version') ?? '1.0';
    if (signerVersion !== '1.0' && signerVersion !== '1.1') throw new UsageError('--signer-version must be 1.0 or 1.1');
    const layout = single(p, '--layout') ?? 'cucm';
    if (!isTlvLayoutName(layout)) throw new UsageError(`--layout must be cucm or tlvfile, not '${layout}'`);
    const specs = p.options.get('--record') ?? [];
    if (!specs.length) throw new UsageError('give at least one --record ROLE=CERT.pem');
    const records: RecordSpec[] = specs.map((s) => {
      const eq = s.indexOf('=');
      if (eq < 1) throw new UsageError(`--record ${s}: expected ROLE=CERT.pem[:hash]`);
      const role = roleFromName(s.slice(0, eq));
      if (role === undefined) throw new UsageError(`--record ${s}: unknown role '${s.slice(0, eq)}'`);
      let certPath = s.slice(eq + 1);
      const hashOnly = certPath.endsWith(':hash');
      if (hashOnly) certPath = certPath.slice(0, -':hash'.length);
      return { role, certificate: readCertificate(path.resolve(io.cwd, certPath)), hashOnly };
    });
    const signerPath = path.resolve(io.cwd, signerFile);
    const outPath = path.resolve(io.cwd, out);
    const filename = single(p, '--filename') ?? (/^CTL/i.test(path.basename(outPath)) ? 'CTLFile.tlv' : 'ITLFile.tlv');
    const bytes = buildTrustList({
      signerCertificate: readCertificate(signerPath),
      signerKey: readKey(signerPath),
      records,
      digest,
      signerVersion,
      filename,
      timestamp: parseNow(single(p, '--now')),
      layout: TLV_LAYOUTS[layout],
    });
    writeFileAtomic(outPath, bytes);
    io.out(`wrote ${out}: ${bytes.length} bytes, ${records.length} records, ${digest.toUpperCase()}, signer version ${signerVersion}\n`);
    return EXIT_OK;
  },
};
