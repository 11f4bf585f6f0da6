import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../helpers/cli';
import { fixturePath, KEYS_DIR, TEST_NOW } from '../../helpers/fixtures';
import { decodeTrustList, verifyTrustList } from '../../../server/src/core/tlv';

const NOW = ['--now', TEST_NOW.toISOString()];

describe('cli: decode', () => {
  it('prints the show-itl-like view and exits 0 for a good ITL', async () => {
    const r = await runCli(['decode', fixturePath('cluster/ITLFile.tlv'), ...NOW]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ITL File: /);
    assert.match(r.out, /ITL Record #:1 {2}CAPF {2}CAPF-7f0ae8d7/);
    assert.match(r.out, /BYTEPOS {2}TAG +LENGTH {2}VALUE/);
    assert.match(r.out, /\n460 +1 +RECORDLENGTH +2 +727\n/);
    assert.match(r.out, /FUNCTION +2 +System Administrator Security Token/);
    assert.match(r.out, /This etoken was used to sign the ITL file\./);
    assert.match(r.out, /This etoken was not used to sign the ITL file\./);
    assert.match(r.out, /\(SHA1 Hash HEX\)/);
    assert.match(r.out, /EC P-384/);
    assert.match(r.out, /The ITL file was verified successfully\.\n$/);
    assert.equal(r.err, '');
  });

  it('--json prints the model with byte offsets', async () => {
    const r = await runCli(['decode', '--json', fixturePath('cluster/ITLFile.tlv'), ...NOW]);
    assert.equal(r.code, 0);
    const model = JSON.parse(r.out);
    assert.equal(model.kind, 'ITL');
    assert.equal(model.records.length, 7);
    assert.equal(model.records[0].elements[0].offset, model.header.headerLength);
    assert.equal(model.signature.status, 'valid');
    assert.equal(model.signature.signer, 5);
  });

  it('exits 1 when problems are found', async () => {
    for (const f of ['tampered/ITLFile.tlv', 'truncated/ITLFile-in-record.tlv', 'malformed/garbage.tlv', 'malformed/empty.tlv']) {
      const r = await runCli(['decode', fixturePath(f), ...NOW]);
      assert.equal(r.code, 1, f);
    }
  });

  it('decodes certificates: PEM bundle and DER, RSA and EC', async () => {
    const b = await runCli(['decode', fixturePath('certs/bundle.pem'), ...NOW]);
    assert.equal(b.code, 0, b.out);
    assert.match(b.out, /2 certificates/);
    assert.match(b.out, /Certificate #2: CN=Lab Root CA/);
    const e = await runCli(['decode', fixturePath('certs/ec-p521.der'), ...NOW]);
    assert.match(e.out, /EC P-521/);
    assert.match(e.out, /SHA-1 Fingerprint/);
    const x = await runCli(['decode', fixturePath('certs/expired.pem'), ...NOW]);
    assert.match(x.out, /EXPIRED/);
  });

  it('exits 2 with one clear line for usage errors and unreadable input', async () => {
    const missing = await runCli(['decode', '/nonexistent/ITLFile.tlv']);
    assert.equal(missing.code, 2);
    assert.equal(missing.err.trim().split('\n').length, 1);
    assert.match(missing.err, /cannot read .*no such file/);
    assert.equal((await runCli(['decode'])).code, 2);
    assert.equal((await runCli(['decode', 'a', 'b'])).code, 2);
    assert.equal((await runCli(['nope'])).code, 2);
    assert.equal((await runCli(['decode', '--bogus', 'x'])).code, 2);
  });
});

describe('cli: build', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-build-'));
    const cm = fs.readFileSync(fixturePath('cluster/CallManager.pem'), 'utf8');
    const key = fs.readFileSync(path.join(KEYS_DIR, 'callmanager-sub.key.pem'), 'utf8');
    fs.writeFileSync(path.join(dir, 'signer.pem'), cm + key);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a signed ITL that decodes and verifies, with hash-only records', async () => {
    const r = await runCli(
      [
        'build',
        '--signer', 'signer.pem',
        '--record', `SAST=${fixturePath('cluster/CallManager.pem')}`,
        '--record', `TFTP=${fixturePath('cluster/CallManager.pem')}`,
        '--record', `CAPF=${fixturePath('cluster/CAPF.der')}:hash`,
        '--record', `TVS=${fixturePath('cluster/TVS-ao115sub.pem')}:hash`,
        '--record', `TFTP=${fixturePath('cluster/CallManager-ECDSA.pem')}`,
        '--digest', 'sha512', '--signer-version', '1.1',
        '-o', 'ITLFile.tlv',
      ],
      dir,
    );
    assert.equal(r.code, 0, r.err);
    const bytes = fs.readFileSync(path.join(dir, 'ITLFile.tlv'));
    const list = decodeTrustList(bytes);
    assert.deepEqual(list.problems, []);
    assert.deepEqual(list.records.map((x) => x.roleName), ['System Administrator Security Token', 'TFTP', 'CAPF', 'TVS', 'TFTP']);
    assert.equal(list.records[2].certificate, undefined);
    assert.equal(list.records[2].certHash!.length, 20);
    assert.equal(list.header.hashAlgorithm, 3);
    assert.equal(list.header.signerVersion, '1.1');
    assert.equal(verifyTrustList(bytes, list).status, 'valid');
    const decoded = await runCli(['decode', path.join(dir, 'ITLFile.tlv')]);
    assert.equal(decoded.code, 0);
  });

  it('names CTL files by their output name', async () => {
    const r = await runCli(['build', '--signer', 'signer.pem', '--record', `SAST=${fixturePath('cluster/CallManager.pem')}`, '-o', 'CTLFile.tlv'], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(decodeTrustList(fs.readFileSync(path.join(dir, 'CTLFile.tlv'))).header.filename, 'CTLFile.tlv');
  });

  it('--layout tlvfile writes the names and tags as tlvfile does', async () => {
    const r = await runCli(['build', '--signer', 'signer.pem', '--record', `SAST=${fixturePath('cluster/CallManager.pem')}`, '--layout', 'tlvfile', '-o', 'tlvfile.tlv'], dir);
    assert.equal(r.code, 0, r.err);
    const bytes = fs.readFileSync(path.join(dir, 'tlvfile.tlv'));
    const list = decodeTrustList(bytes);
    assert.deepEqual(list.records[0].elements.map((e) => e.tag), [1, 3, 5, 6, 4, 7, 8, 9]);
    assert.match(list.records[0].subject!, /^C=US,.*,CN=ao115sub$/);
    assert.equal(verifyTrustList(bytes, list).status, 'valid');
  });

  it('rejects bad roles, digests and a signer without a key', async () => {
    const bad = [
      ['--signer', 'signer.pem', '--record', `BOSS=${fixturePath('cluster/CAPF.pem')}`, '-o', 'x.tlv'],
      ['--signer', 'signer.pem', '--record', `CAPF=${fixturePath('cluster/CAPF.pem')}`, '--digest', 'md5', '-o', 'x.tlv'],
      ['--signer', fixturePath('cluster/CAPF.pem'), '--record', `CAPF=${fixturePath('cluster/CAPF.pem')}`, '-o', 'x.tlv'],
      ['--signer', 'signer.pem', '-o', 'x.tlv'],
      ['--signer', 'signer.pem', '--record', `CAPF=${fixturePath('cluster/CAPF.pem')}`, '--signer-version', '2.0', '-o', 'x.tlv'],
      ['--signer', 'signer.pem', '--record', `CAPF=${fixturePath('cluster/CAPF.pem')}`, '--layout', 'toString', '-o', 'x.tlv'],
    ];
    for (const args of bad) {
      const r = await runCli(['build', ...args], dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.ok(r.err.length > 0);
    }
    assert.equal(fs.existsSync(path.join(dir, 'x.tlv')), false, 'nothing written on error');
  });
});

describe('cli: fixtures', () => {
  it('generates the fixture set for a given clock, deterministically', async () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-fx-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-fx-'));
    try {
      for (const d of [a, b]) assert.equal((await runCli(['fixtures', '-o', d, '--keys', KEYS_DIR, ...NOW])).code, 0);
      for (const f of ['cluster/ITLFile.tlv', 'ctl/CTLFile.tlv', 'certs/ec-p384.der', 'capf-near-expiry/CAPF.pem']) {
        assert.ok(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), f);
      }
      // The tlvfile layout: the same certificates, trust lists written the other way.
      assert.equal((await runCli(['fixtures', '-o', b, '--keys', KEYS_DIR, '--layout', 'tlvfile', ...NOW])).code, 0);
      assert.ok(fs.readFileSync(path.join(a, 'cluster/CAPF.pem')).equals(fs.readFileSync(path.join(b, 'cluster/CAPF.pem'))));
      assert.match(decodeTrustList(fs.readFileSync(path.join(b, 'cluster/ITLFile.tlv'))).records[0].subject!, /^C=US,/);
      assert.equal((await runCli(['fixtures', '-o', b, '--layout', 'other', ...NOW])).code, 2);
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });
});
