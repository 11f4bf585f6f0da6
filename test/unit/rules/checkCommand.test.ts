import * as assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli';
import { fixturePath, fixturesDir, TEST_NOW } from '../../helpers/fixtures';

interface Finding {
  file: string;
  code: string;
  severity: string;
  message: string;
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
  offset?: number;
}

describe('itl-lens check', () => {
  const now = ['--now', TEST_NOW.toISOString()];

  it('exits 0 on a healthy cluster and says how many files it checked', async () => {
    const r = await runCli(['check', ...now, 'cluster'], fixturesDir());
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^10 file\(s\) checked: 0 error\(s\), 0 warning\(s\), 0 note\(s\)$/m);
  });

  it('treats all paths as one workspace: the CAPF.pem beside an ITL decides capf-expired', async () => {
    const r = await runCli(['check', '--json', ...now, fixturePath('capf-expired/ITLFile.tlv'), fixturePath('capf-expired/CAPF.pem')], fixturesDir());
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.out) as Finding[];
    assert.deepEqual(findings.map((f) => [f.file, f.code, f.severity]), [
      ['capf-expired/CAPF.pem', 'cert-expired', 'error'],
      ['capf-expired/ITLFile.tlv', 'capf-expired', 'error'],
    ]);
    assert.deepEqual(findings[0].range, { start: { line: 0, character: 0 }, end: { line: 22, character: 25 } });
    assert.equal(findings[0].offset, undefined);
    assert.equal(findings[1].offset, 1160);
    assert.equal(findings[1].range, undefined);
    assert.deepEqual(Object.keys(findings[1]).sort(), ['code', 'file', 'message', 'offset', 'severity']);
  });

  it('exits 0 when there are only warnings and notes, and honours --near-expiry-days', async () => {
    const warn = await runCli(['check', '--json', ...now, 'capf-near-expiry'], fixturesDir());
    assert.equal(warn.code, 0);
    assert.deepEqual((JSON.parse(warn.out) as Finding[]).map((f) => f.code).sort(), ['capf-near-expiry', 'cert-near-expiry']);
    const quiet = await runCli(['check', '--json', '--near-expiry-days', '5', ...now, 'capf-near-expiry'], fixturesDir());
    assert.deepEqual(JSON.parse(quiet.out), []);
    const note = await runCli(['check', '--json', ...now, 'capf-regenerated/ITLFile.tlv'], fixturesDir());
    assert.deepEqual((JSON.parse(note.out) as Finding[]).map((f) => [f.code, f.severity]), [['capf-unchecked', 'info']]);
    assert.equal(note.code, 0);
  });

  it('prints compiler-style lines without --json', async () => {
    const r = await runCli(['check', ...now, 'tampered', 'certs/expired.pem'], fixturesDir());
    assert.equal(r.code, 1);
    assert.match(r.out, /^certs\/expired\.pem:1:1: error cert-expired: The certificate CN=expired\.example expired/m);
    assert.match(r.out, /^tampered\/ITLFile\.tlv \(byte \d+\): error signature-invalid: /m);
  });

  it('exits 2 on usage errors', async () => {
    assert.equal((await runCli(['check'], fixturesDir())).code, 2);
    assert.equal((await runCli(['check', '--near-expiry-days', 'soon', 'cluster'], fixturesDir())).code, 2);
    const missing = await runCli(['check', 'no-such-folder'], fixturesDir());
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no-such-folder: no such file or folder/);
    assert.equal((await runCli(['check', '--bogus', 'cluster'], fixturesDir())).code, 2);
  });
});
