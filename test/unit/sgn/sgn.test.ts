import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as forge from 'node-forge';
import { createHash, createPrivateKey } from 'node:crypto';
import { decodeSignedFile } from '../../../server/src/core/sgn/decode';
import { decryptSignedFile } from '../../../server/src/core/sgn/decrypt';
import { allElements } from '../../../server/src/core/sgn/xmlOutline';
import { configFacts } from '../../../server/src/core/sgn/configFacts';
import { toPem } from '../../../server/src/core/cert/pem';
import { encryptedConfigPair } from '../../../server/src/fixtures/trustScenarios';
import { runCli } from '../../helpers/cli';
import { fixturePath, KEYS_DIR, TEST_NOW } from '../../helpers/fixtures';
import { scenarios } from '../trust/scenarios';

/** The header TLVs of part E read with nothing but this test's own loop: [tag, offset, value] per element. */
function rawHeader(b: Buffer, end: number): { tag: number; at: number; value: Buffer }[] {
  const out: { tag: number; at: number; value: Buffer }[] = [];
  const containers = new Set([3, 7, 9]);
  let i = 0;
  while (i < end) {
    const tag = b[i];
    if (tag === 13) {
      out.push({ tag, at: i, value: Buffer.alloc(0) });
      i += 1;
      continue;
    }
    const len = b.readUInt16BE(i + 1);
    out.push({ tag, at: i, value: b.subarray(i + 3, i + 3 + len) });
    i += containers.has(tag) ? 3 : 3 + len;
  }
  assert.equal(i, end, 'the elements end exactly at HEADER_LENGTH');
  return out;
}

describe('signed files: itl-lens sign writes the public sgnfile layout (reference part E)', () => {
  const s = scenarios();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-sign-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const signer = s.cluster.callManagerSub;

  for (const digest of ['sha1', 'sha512'] as const) {
    it(`checks every byte of a ${digest} .sgn against part E, and verifies it with node-forge`, async () => {
      const signerPem = path.join(dir, 'signer.pem');
      fs.writeFileSync(signerPem, toPem('CERTIFICATE', signer.der) + (signer.key.export({ format: 'pem', type: 'pkcs8' }) as string));
      fs.writeFileSync(path.join(dir, 'SEP001122334455.cnf.xml'), s.config);
      const r = await runCli(['sign', '--signer', 'signer.pem', 'SEP001122334455.cnf.xml', '-o', 'out.sgn', '--digest', digest, '--filename', 'SEP001122334455.cnf.xml.sgn', '--now', TEST_NOW.toISOString()], dir);
      assert.equal(r.code, 0, r.err);
      const b = fs.readFileSync(path.join(dir, 'out.sgn'));
      // VERSION 1.0, then HEADER_LENGTH, a multiple of 4 covering everything before the payload.
      assert.deepEqual([...b.subarray(0, 5)], [1, 0, 2, 1, 0]);
      assert.deepEqual([...b.subarray(5, 8)], [2, 0, 2]);
      const hl = b.readUInt16BE(8);
      assert.equal(hl % 4, 0);
      assert.ok(b.subarray(hl).equals(s.config), 'the payload follows the header unchanged');
      const els = rawHeader(b, hl);
      assert.deepEqual(
        els.filter((e) => e.tag !== 13).map((e) => e.tag),
        [1, 2, 3, 4, 6, 5, 7, 8, 9, 10, 11, 12, 14, 15],
        'VERSION, HEADER_LENGTH, SIGNER_INFO{name, issuer, serial}, SIGNATURE_INFO{hash, {alg, modulus}}, SIGNATURE, FILENAME, TIMESTAMP; no SIGNER_VERSION',
      );
      const by = (t: number) => els.find((e) => e.tag === t)!;
      const x509 = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(signer.der.toString('binary'))));
      assert.equal(by(3).value.length, [4, 6, 5].reduce((n, t) => n + 3 + by(t).value.length, 0), 'SIGNER_INFO covers tags 4, 6 and 5');
      assert.equal(by(4).value.toString('utf8'), 'CN=ao115sub;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US\0');
      assert.equal(by(5).value.toString('hex'), x509.serialNumber.replace(/^(00)+/, ''), 'serial: minimal big-endian');
      assert.equal(by(7).value.length, 15, 'SIGNATURE_INFO is 15 bytes');
      assert.deepEqual([...by(8).value], [digest === 'sha1' ? 1 : 3]);
      assert.equal(by(9).value.length, 8);
      assert.deepEqual([...by(10).value], [0]);
      assert.deepEqual([...by(11).value], [2], '2048-bit key: modulus index 2');
      assert.equal(by(12).value.length, 256);
      assert.equal(by(14).value.toString('utf8'), 'SEP001122334455.cnf.xml.sgn\0');
      assert.equal(by(15).value.readUInt32BE(0), Math.floor(TEST_NOW.getTime() / 1000));
      const pads = els.filter((e) => e.tag === 13);
      assert.ok(pads.length < 4 && pads.every((p) => p.at > by(15).at), 'padding (0x0D) after TIMESTAMP only');
      // The signature covers the whole file with the SIGNATURE TLV cut out.
      const sig = by(12);
      const signed = Buffer.concat([b.subarray(0, sig.at), b.subarray(sig.at + 3 + sig.value.length)]);
      const md = digest === 'sha1' ? forge.md.sha1.create() : forge.md.sha512.create();
      md.update(signed.toString('binary'));
      assert.ok((x509.publicKey as forge.pki.rsa.PublicKey).verify(md.digest().bytes(), sig.value.toString('binary')));
    });
  }

  it('decodes what it signed: the JSON model names the signer; the view shows header and XML', async () => {
    const r = await runCli(['decode', '--json', 'out.sgn'], dir);
    const j = JSON.parse(r.out);
    assert.equal(j.kind, 'sgn');
    assert.equal(j.header.version, '1.0');
    assert.equal(j.signer.name, 'CN=ao115sub;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US');
    assert.equal(j.payload.type, 'xml');
    assert.match(j.payload.text, /<capfList>/);
    const view = await runCli(['decode', '--now', TEST_NOW.toISOString(), 'out.sgn'], dir);
    assert.match(view.out, /^SGN File: out.sgn\n/);
    assert.match(view.out, /\n10 {7}3 {3}SIGNERID/);
    assert.match(view.out, /\n\d+ +\| <device /);
    assert.match(view.out, /no ITL\/CTL beside the file/);
  });

  it('refuses usage errors', async () => {
    assert.equal((await runCli(['sign', 'x'], dir)).code, 2);
    assert.equal((await runCli(['sign', '--signer', 'signer.pem', 'SEP001122334455.cnf.xml', '-o', 'o.sgn', '--digest', 'md5'], dir)).code, 2);
  });
});

describe('signed files: decoder', () => {
  const s = scenarios();

  it('decodes the header with byte positions and the XML outline with its trust facts', () => {
    const f = decodeSignedFile(s.configBadCapf, 'SEP001122334455.cnf.xml.sgn');
    assert.deepEqual(f.problems, []);
    assert.equal(f.kind, 'sgn');
    assert.equal(f.header.filename, 'SEP001122334455.cnf.xml.sgn');
    assert.equal(f.payload.range.start, f.header.headerLength);
    const paths = allElements(f.payload.xml!).map((e) => e.path);
    assert.ok(paths.includes('device/capfList/capf/phonePort'));
    const facts = configFacts(f.payload.xml);
    assert.equal(facts.capf[0].port, 3805);
    assert.equal(facts.capf[0].host, 'capf.other.example');
    assert.equal(s.configBadCapf.subarray(facts.capf[0].portRange!.start, facts.capf[0].portRange!.end).toString(), '<phonePort>3805</phonePort>');
    assert.equal(facts.capfAuthMode?.value, '9');
  });

  it('reports a wrong VERSION and structural faults like the .tlv decoder, never throwing', () => {
    const b = Buffer.from(s.configSigned);
    b[3] = 1;
    b[4] = 2;
    assert.ok(decodeSignedFile(b, 'x.sgn').problems.some((p) => p.code === 'tlv-bad-value' && /VERSION 1\.2/.test(p.message)));
    assert.equal(decodeSignedFile(Buffer.alloc(0), 'x.sgn').problems[0].code, 'file-empty');
    assert.ok(decodeSignedFile(s.configSigned.subarray(0, 200), 'x.sgn').problems.some((p) => p.code === 'header-length-mismatch' || p.code === 'tlv-truncated'));
  });

  it('.enc.sgn: the encryption header decoded, decrypted with the device key, refused with another', () => {
    const { encSgn, companion } = encryptedConfigPair(s, TEST_NOW);
    const f = decodeSignedFile(encSgn, 'SEP001122334455.cnf.xml.enc.sgn');
    assert.deepEqual(f.problems, []);
    assert.equal(f.kind, 'enc.sgn');
    assert.equal(f.header.version, '2.0');
    assert.equal(f.payload.type, 'encrypted');
    assert.equal(f.encryption!.iv!.length, 16);
    assert.equal(f.encryption!.keyBits, 128);
    assert.equal(f.encryption!.wrappedKey!.length, 256);
    assert.equal(f.encryption!.contentHashAlgorithm, 1);
    assert.ok(f.encryption!.contentHash!.equals(createHash('sha1').update(s.config).digest()));
    assert.equal(f.payload.bytes.length % 16, 0);
    const d = decryptSignedFile(f, s.phoneLsc.key);
    assert.ok(d.ok);
    assert.ok(d.ok && d.plaintext.equals(s.config) && d.digestMatches === true);
    const wrong = decryptSignedFile(f, s.cluster.capf.key);
    assert.equal(wrong.ok, false);
    // The companion names the device certificate by MD5.
    const c = decodeSignedFile(companion, 'SEP001122334455.cnf.xml.sgn');
    const facts = configFacts(c.payload.xml);
    assert.equal(facts.encrConfig, true);
    assert.equal(facts.certHash?.value, createHash('md5').update(s.phoneLsc.der).digest('hex'));
  });

  it('itl-lens decode --key shows the decrypted configuration; --device-cert names the certificate of certHash', async () => {
    const dir = path.dirname(fixturePath('trust/config/encrypted/ITLFile.tlv'));
    const r = await runCli(['decode', '--now', TEST_NOW.toISOString(), 'SEP001122334455.cnf.xml.enc.sgn', '--key', path.join(KEYS_DIR, 'phone-lsc.key.pem')], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ENC\.SGN File:/);
    assert.match(r.out, /\n\d+ +25 +ENCRYPTEDKEY +256 +256 bytes \(RSA-wrapped AES key\)/);
    assert.match(r.out, /decrypted with the device key: \d+ bytes/);
    assert.match(r.out, /\| +<capfList>/);
    const c = await runCli(['decode', '--now', TEST_NOW.toISOString(), 'SEP001122334455.cnf.xml.sgn', '--device-cert', 'LSC-SEP001122334455.pem'], dir);
    assert.match(c.out, /encrypted configuration for the device certificate with MD5 [0-9a-f]{32}: LSC-SEP001122334455.pem/);
    assert.ok(createPrivateKey(fs.readFileSync(path.join(KEYS_DIR, 'phone-lsc.key.pem'))));
  });
});
