/** `itl-lens compare HELD NEW`: will phones that hold HELD accept NEW, and what changes for them. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliCommand, EXIT_OK, EXIT_PROBLEMS, parseArgs, single, UsageError } from '../io';
import { decodeTrustList } from '../../core/tlv/decode';
import { decodeCertificateFile } from '../../core/cert/certificateFile';
import { compareTrustLists } from '../../trust/compareTrustLists';
import { heldList, trustListDownload } from '../../trust/downloads';
import { HeldTrust } from '../../trust/model';
import { tvsKnowing } from '../../trust/phoneTrust';
import { comparisonJson, renderComparison } from '../../trust/renderComparison';

const USAGE = `Usage: itl-lens compare HELD NEW [--ctl HELD_CTL] [--tvs-knows CERT.pem ...] [--json]
  HELD         the trust list phones hold now (ITLFile.tlv or CTLFile.tlv, e.g. from the old cluster or a backup)
  NEW          the trust list they will download next
  --ctl        the CTL the phones also hold (mixed mode): it authenticates a new ITL
  --tvs-knows  certificates (PEM/DER, repeatable) the TVS of HELD knows: resolves accepted-via-tvs
  --json       print {"verdict","reason","changes",...} instead of text
Exit codes: 0 accepted, 1 rejected or accepted-via-tvs unresolved (TVS must be asked), 2 usage error.`;

function readList(file: string, cwd: string, what: string) {
  const full = path.resolve(cwd, file);
  if (!fs.existsSync(full)) throw new UsageError(`${what} ${file}: no such file`);
  const bytes = fs.readFileSync(full);
  return { bytes, list: decodeTrustList(bytes, full) };
}

/** Every certificate of the files given (PEM bundles hold several). */
export function readCertificates(files: string[], cwd: string): Buffer[] {
  return files.flatMap((f) => {
    const full = path.resolve(cwd, f);
    if (!fs.existsSync(full)) throw new UsageError(`--tvs-knows ${f}: no such file`);
    const certs = decodeCertificateFile(fs.readFileSync(full)).entries.flatMap((e) => (e.result.ok ? [e.result.certificate.der] : []));
    if (!certs.length) throw new UsageError(`--tvs-knows ${f}: no readable certificate`);
    return certs;
  });
}

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'will phones that hold one trust list accept another? verdict and changes',
  usage: USAGE,
  async run(args, io) {
    const p = parseArgs(args, { booleans: ['--json'], values: ['--ctl', '--tvs-knows'] });
    if (p.positionals.length !== 2) throw new UsageError('give HELD and NEW');
    const [heldName, newName] = p.positionals;
    const heldFile = readList(heldName, io.cwd, 'HELD');
    const next = readList(newName, io.cwd, 'NEW');
    const ctlName = single(p, '--ctl');
    const held: HeldTrust = heldFile.list.kind === 'CTL' ? { ctl: heldList(heldFile.list, heldName) } : { itl: heldList(heldFile.list, heldName) };
    if (ctlName) held.ctl = heldList(readList(ctlName, io.cwd, '--ctl').list, ctlName);
    const known = p.options.get('--tvs-knows');
    const tvs = known ? tvsKnowing(readCertificates(known, io.cwd)) : undefined;
    const result = compareTrustLists(held, heldFile.list, trustListDownload(next.bytes, next.list, path.basename(newName)), tvs);
    if (p.flags.has('--json')) io.out(JSON.stringify(comparisonJson(result, heldName, newName), null, 2) + '\n');
    else io.out(renderComparison(result, heldName, newName));
    return result.verdict.verdict === 'accepted' ? EXIT_OK : EXIT_PROBLEMS;
  },
};
