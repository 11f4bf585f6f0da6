/** `itl-lens sign`: writes a signed file (.sgn) the way the TFTP server signs configuration files (reference part E). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliCommand, EXIT_OK, parseArgs, single, UsageError } from '../io';
import { signFile } from '../../core/sgn/build';
import { DigestName } from '../../core/tlv/build';
import { writeFileAtomic } from '../../core/fs/atomicWrite';
import { parseNow } from '../nowOption';
import { readCertificate, readKey } from './build';

const USAGE = `Usage: itl-lens sign --signer SIGNER.pem IN -o OUT.sgn [--digest sha1|sha512] [--filename NAME] [--now ISO-8601]
  SIGNER.pem  the signing certificate and its private key (PEM), e.g. the TFTP server's CallManager certificate
  IN          the file to sign (SEP<MAC>.cnf.xml, a locale or ring-list file), written unchanged after the header
  --digest    sha1 (default, as CUCM) or sha512 (TFTP File Signature Algorithm)
  --filename  the FILENAME element, the name phones ask for (default: the base name of OUT)`;

export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'write a signed file (.sgn) from a file and a signer, as the TFTP server signs configuration files',
  usage: USAGE,
  async run(args, io) {
    const p = parseArgs(args, { values: ['--signer', '--digest', '--filename', '-o', '--out', '--now'] });
    if (p.positionals.length !== 1) throw new UsageError('give exactly one IN file');
    const signerFile = single(p, '--signer');
    const out = single(p, '-o') ?? single(p, '--out');
    if (!signerFile) throw new UsageError('--signer is required');
    if (!out) throw new UsageError('-o OUT.sgn is required');
    const digest = (single(p, '--digest') ?? 'sha1') as DigestName;
    if (digest !== 'sha1' && digest !== 'sha512') throw new UsageError(`--digest must be sha1 or sha512, not ${digest}`);
    const input = path.resolve(io.cwd, p.positionals[0]);
    const outPath = path.resolve(io.cwd, out);
    const signerPath = path.resolve(io.cwd, signerFile);
    const filename = single(p, '--filename') ?? path.basename(outPath);
    const bytes = signFile(fs.readFileSync(input), { signerCertificate: readCertificate(signerPath), signerKey: readKey(signerPath), digest, filename, timestamp: parseNow(single(p, '--now')) });
    writeFileAtomic(outPath, bytes);
    io.out(`wrote ${out}: ${bytes.length} bytes, header ${bytes.readUInt16BE(8)} bytes, ${digest.toUpperCase()}, FILENAME ${filename}\n`);
    return EXIT_OK;
  },
};
