/**
 * Seeded fuzz test: mutates every fixture (bit flips, truncations, length edits, insertions, deletions,
 * splices) and checks that decoding, verifying and rendering (trust lists, certificates, and signed files
 * .sgn/.enc.sgn with their rules and decryption) never throw and that every problem's range
 * lies inside the file. Set ITL_LENS_FUZZ_SEED / ITL_LENS_FUZZ_CASES to reproduce or extend a run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeTrustList, verifyTrustList, TrustList } from '../../../server/src/core/tlv';
import { decodeCertificateFile } from '../../../server/src/core/cert/certificateFile';
import { renderTrustListView } from '../../../server/src/views/trustListView';
import { renderCertificateView } from '../../../server/src/views/certificateView';
import { decodeSignedFile } from '../../../server/src/core/sgn/decode';
import { decryptSignedFile } from '../../../server/src/core/sgn/decrypt';
import { renderSignedFileView } from '../../../server/src/views/signedFileView';
import { signedFileRules } from '../../../server/src/trust/signedFileRules';
import { loadFixtureKeys } from '../../../server/src/lab/cluster/clusterKeys';
import { fixturesDir, KEYS_DIR, TEST_NOW } from '../../helpers/fixtures';
import { Prng } from '../../helpers/prng';

const SEED = Number(process.env.ITL_LENS_FUZZ_SEED ?? 20261127);
const CASES = Number(process.env.ITL_LENS_FUZZ_CASES ?? 12000);

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? (e.name === 'keys' ? [] : listFiles(p)) : [p];
  });
}

/** Offsets of element tags in a decoded list, for length edits that hit real length fields. */
function elementOffsets(list: TrustList): number[] {
  const out: number[] = [];
  const walk = (es: { offset: number; children?: unknown[] }[]) =>
    es.forEach((e) => {
      out.push(e.offset);
      if (e.children) walk(e.children as { offset: number }[]);
    });
  walk(list.header.elements);
  for (const r of list.records) walk(r.elements);
  return out;
}

function mutate(rng: Prng, input: Buffer, offsets: number[], other: Buffer): { bytes: Buffer; how: string } {
  const b = Buffer.from(input);
  const kind = rng.int(7);
  switch (kind) {
    case 0: {
      const n = 1 + rng.int(8);
      for (let i = 0; i < n && b.length; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return { bytes: b, how: `flip ${n} bits` };
    }
    case 1: {
      const at = rng.int(b.length + 1);
      return { bytes: b.subarray(0, at), how: `truncate at ${at}` };
    }
    case 2: {
      if (!offsets.length || b.length < 3) return { bytes: b, how: 'noop' };
      const at = rng.pick(offsets);
      if (at + 3 > b.length) return { bytes: b, how: 'noop' };
      const choices = [0, 1, 2, 0xffff, b.readUInt16BE(at + 1) + 1, Math.max(0, b.readUInt16BE(at + 1) - 1), rng.int(0x10000)];
      const v = rng.pick(choices);
      b.writeUInt16BE(v, at + 1);
      return { bytes: b, how: `length at ${at} := ${v}` };
    }
    case 3: {
      if (!offsets.length) return { bytes: b, how: 'noop' };
      const at = rng.pick(offsets);
      if (at < b.length) b[at] = rng.int(256);
      return { bytes: b, how: `tag at ${at} := ${b[at]}` };
    }
    case 4: {
      const at = rng.int(b.length + 1);
      const ins = Buffer.from(Array.from({ length: 1 + rng.int(16) }, () => rng.int(256)));
      return { bytes: Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]), how: `insert ${ins.length} at ${at}` };
    }
    case 5: {
      const at = rng.int(b.length + 1);
      const n = 1 + rng.int(32);
      return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(at + n)]), how: `delete ${n} at ${at}` };
    }
    default: {
      const at = rng.int(b.length + 1);
      const from = rng.int(other.length + 1);
      return { bytes: Buffer.concat([b.subarray(0, at), other.subarray(from)]), how: `splice at ${at} from ${from}` };
    }
  }
}

describe(`fuzz: ${CASES} mutated fixtures (seed ${SEED})`, () => {
  it('never throws; every problem range lies inside the file', function () {
    this.timeout(600_000);
    const files = listFiles(fixturesDir()).filter((f) => /\.(tlv|pem|der|sgn)$/.test(f));
    const phoneKey = loadFixtureKeys(KEYS_DIR)['phone-lsc'];
    const itl = fs.readFileSync(path.join(fixturesDir(), 'trust', 'held', 'ITLFile.tlv'));
    const trustLists = [{ uri: 'file:///f/ITLFile.tlv', path: '/f/ITLFile.tlv', bytes: itl, list: decodeTrustList(itl, 'ITLFile.tlv') }];
    let signedCases = 0;
    const inputs = files.map((f) => ({ file: f, bytes: fs.readFileSync(f) }));
    const tlvs = inputs.filter((i) => i.file.endsWith('.tlv') || i.file.endsWith('.sgn'));
    const offsets = new Map(tlvs.map((i) => [i.file, elementOffsets(decodeTrustList(i.bytes))]));
    const rng = new Prng(SEED);
    let problems = 0;
    for (let n = 0; n < CASES; n++) {
      const input = inputs[n % inputs.length];
      const other = rng.pick(inputs).bytes;
      const { bytes, how } = mutate(rng, input.bytes, offsets.get(input.file) ?? [], other);
      const label = `case ${n} (${path.basename(input.file)}: ${how})`;
      try {
        if (input.file.endsWith('.sgn')) {
          signedCases++;
          const name = path.basename(input.file);
          const file = decodeSignedFile(bytes, name);
          renderSignedFileView(file, { fileName: name, now: TEST_NOW, verdict: 'fuzz' });
          signedFileRules({ uri: `file:///f/${name}`, path: `/f/${name}`, bytes, file }, { trustLists, certificates: [] });
          if (file.kind === 'enc.sgn') decryptSignedFile(file, phoneKey);
          const inside = (r: { start: number; end: number }) => r.start >= 0 && r.start <= r.end && r.end <= bytes.length;
          for (const p of file.problems) assert.ok(inside(p.range), `${label}: ${p.code} ${p.range.start}-${p.range.end} of ${bytes.length}`);
          assert.ok(inside(file.payload.range), `${label}: payload range`);
          problems += file.problems.length;
        } else if (input.file.endsWith('.tlv')) {
          const list = decodeTrustList(bytes, input.file);
          const check = verifyTrustList(bytes, list);
          renderTrustListView(list, { fileName: 'fuzz.tlv', now: TEST_NOW, signature: check });
          for (const p of list.problems) {
            assert.ok(p.range.start >= 0 && p.range.start <= p.range.end && p.range.end <= bytes.length, `${label}: ${p.code} ${p.range.start}-${p.range.end} of ${bytes.length}`);
          }
          for (const r of list.records) assert.ok(r.range.start >= 0 && r.range.end <= bytes.length, `${label}: record range`);
          problems += list.problems.length;
        } else {
          const file = decodeCertificateFile(bytes);
          renderCertificateView(file, { fileName: 'fuzz.pem', now: TEST_NOW });
          for (const e of file.entries) {
            const limit = e.pem ? e.pem.der.length : bytes.length;
            for (const p of e.result.problems) assert.ok(p.span.start >= 0 && p.span.end <= Math.max(limit, 1), `${label}: ${p.code}`);
            if (e.result.ok) for (const f of e.result.certificate.fields) assert.ok(f.span.end <= limit, `${label}: field ${f.path}`);
          }
        }
      } catch (e) {
        throw new Error(`${label}: ${(e as Error).stack}`);
      }
    }
    assert.ok(problems > CASES / 2, 'the mutations really produced faults');
    assert.ok(signedCases > CASES / 20, `signed files were fuzzed too (${signedCases} cases)`);
  });
});
