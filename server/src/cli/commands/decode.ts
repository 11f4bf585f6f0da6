/** `itl-lens decode FILE [--json]`: the annotated view of a trust list or a certificate file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliCommand, EXIT_OK, EXIT_PROBLEMS, parseArgs, single, UsageError } from '../io';
import { decodeTrustList } from '../../core/tlv/decode';
import { verifyTrustList } from '../../core/tlv/verify';
import { decodeCertificateFile } from '../../core/cert/certificateFile';
import { renderTrustListView } from '../../views/trustListView';
import { renderCertificateView } from '../../views/certificateView';
import { classifyFile } from '../../engine/fileKinds';
import { toPlainJson } from '../../engine/toJson';
import { parseNow } from '../clock';

export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'print the annotated view of a .tlv trust list or a certificate file',
  usage: 'Usage: itl-lens decode FILE [--json] [--now ISO-8601]\n  --json  print the decoded model with byte offsets instead of the view',
  async run(args, io) {
    const p = parseArgs(args, { booleans: ['--json'], values: ['--now'] });
    if (p.positionals.length !== 1) throw new UsageError('give exactly one FILE');
    const file = path.resolve(io.cwd, p.positionals[0]);
    const now = parseNow(single(p, '--now'));
    const bytes = fs.readFileSync(file);
    const kind = classifyFile(file, bytes);
    const shown = p.positionals[0];
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
