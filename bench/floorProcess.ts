/**
 * The cold-index floor as a process of its own (node out/bench/floorProcess.js MANIFEST): reads and hashes every
 * file of a corpus and verifies each trust list's signature once, then exits. The manifest (written by the
 * bench, untimed) lists the files and, per trust list, what a verify needs: the hash, the signed ranges, the
 * signature's place and the signer's key (SPKI PEM, by number). Nothing of the project is loaded.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import * as fs from 'node:fs';

export interface FloorManifest {
  keys: string[];
  files: Array<{ path: string; verify?: { hash: string; cut: [number, number]; key: number } }>;
}

function main(): void {
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as FloorManifest;
  const keys = manifest.keys.map((k) => createPublicKey(k));
  let valid = 0;
  for (const f of manifest.files) {
    const bytes = fs.readFileSync(f.path);
    createHash('sha256').update(bytes).digest();
    if (!f.verify) continue;
    const [start, end] = f.verify.cut;
    const signature = bytes.subarray(start + 3, end);
    const signed = Buffer.concat([bytes.subarray(0, start), bytes.subarray(end)]);
    if (verify(f.verify.hash, signed, keys[f.verify.key], signature)) valid++;
  }
  process.stdout.write(`${valid}\n`);
}

if (require.main === module) main();
