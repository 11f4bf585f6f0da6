import * as assert from 'node:assert/strict';
import { sourceLocation } from '../../../server/src/rules/sourceLocation';
import { fileUri } from '../../../server/src/workspace/uris';
import { fixturePath } from '../../helpers/fixtures';
import { diagnose } from './helpers';

describe('rules: certificate files', () => {
  const codes = async (file: string, workspace = ['certs'], nearExpiryDays = 30) => (await diagnose(workspace, file, { nearExpiryDays })).codes;

  it('finds nothing wrong with valid certificates, RSA and EC, PEM and DER, and bundles', async () => {
    for (const f of ['valid.pem', 'valid.der', 'ec-p256.pem', 'ec-p384.der', 'ec-p521.pem', 'bundle.pem']) assert.deepEqual(await codes(`certs/${f}`), [], f);
  });

  it('cert-expired, cert-near-expiry and cert-not-yet-valid on the validity field', async () => {
    const expired = await diagnose(['certs'], 'certs/expired.pem');
    assert.deepEqual(expired.codes, ['cert-expired']);
    assert.deepEqual(expired.diagnostics[0].target, { in: 'certificate', entry: 0, field: 'validity' });
    assert.match(expired.diagnostics[0].message, /expired on .*\(3 days ago\)/);
    assert.deepEqual(await codes('certs/near-expiry.der'), ['cert-near-expiry']);
    assert.deepEqual(await codes('certs/near-expiry.der', ['certs'], 5), []);
    assert.deepEqual(await codes('certs/not-yet-valid.pem'), ['cert-not-yet-valid']);
  });

  it('cert-weak-key for RSA under 2048 bits', async () => {
    const weak = await diagnose(['certs'], 'certs/weak-1024.pem');
    assert.deepEqual(weak.codes, ['cert-weak-key']);
    assert.match(weak.diagnostics[0].message, /1024-bit RSA key/);
  });

  it('capf-not-ca for a CAPF certificate without CA:TRUE and keyCertSign (14SU2+)', async () => {
    const d = await diagnose(['certs'], 'certs/capf-no-ca.pem');
    assert.deepEqual(d.codes, ['capf-not-ca']);
    assert.match(d.diagnostics[0].message, /basicConstraints CA:TRUE and keyUsage keyCertSign/);
    assert.match(d.diagnostics[0].message, /14SU2/);
    assert.deepEqual(d.diagnostics[0].target, { in: 'certificate', entry: 0, field: 'extensions.basicConstraints' });
    // A proper CAPF certificate passes; a certificate that is not CAPF is not asked to be a CA.
    assert.deepEqual(await codes('cluster/CAPF.pem', ['cluster']), []);
    assert.deepEqual(await codes('certs/bundle.pem'), []);
  });

  it('a CAPF certificate that expired says what happens to LSC installs', async () => {
    const d = await diagnose(['capf-expired'], 'capf-expired/CAPF.pem');
    assert.deepEqual(d.codes, ['cert-expired']);
    assert.match(d.diagnostics[0].message, /^The CAPF certificate CN=CAPF-7f0ae8d7 expired/);
    assert.equal(d.diagnostics[0].related?.[0].uri, fileUri(fixturePath('capf-expired/ITLFile.tlv')));
  });

  it('reports unreadable certificates with the decoder\'s codes', async () => {
    assert.deepEqual(await codes('certs/truncated.der'), ['cert-truncated']);
    assert.deepEqual(await codes('certs/garbage.pem'), ['cert-truncated']);
  });

  it('places PEM diagnostics on the exact block lines, DER ones on byte ranges', async () => {
    const bundle = await diagnose(['certs'], 'certs/bundle.pem', { now: new Date('2041-01-01T00:00:00Z') });
    const file = bundle.index.get(fileUri(fixturePath('certs/bundle.pem')))!;
    const second = bundle.diagnostics.find((d) => d.target.in === 'certificate' && d.target.entry === 1)!;
    const loc = sourceLocation(file, second.target);
    assert.equal(loc.textual, true);
    assert.deepEqual(loc.range, { start: { line: 25, character: 0 }, end: { line: 45, character: 25 } });
    const der = await diagnose(['certs'], 'certs/expired.der');
    const derLoc = sourceLocation(der.index.get(fileUri(fixturePath('certs/expired.der')))!, der.diagnostics[0].target);
    assert.equal(derLoc.textual, false);
    assert.ok(derLoc.bytes!.start > 100 && derLoc.bytes!.end - derLoc.bytes!.start === 30, JSON.stringify(derLoc.bytes));
  });
});
