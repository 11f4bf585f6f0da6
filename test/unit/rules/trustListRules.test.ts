import * as assert from 'node:assert/strict';
import { HeaderTag, RecordTag } from '../../../server/src/core/tlv/tags';
import { fileUri } from '../../../server/src/workspace/uris';
import { FixtureLayout, fixturePath as fixturePathIn } from '../../helpers/fixtures';
import { diagnose as diagnoseIn } from './helpers';

// Every case twice: trust lists as CUCM writes them (`;` names, CN first) and as tlvfile does (`,` names in
// the certificate's order, its record tag order). The certificate files are the same in both.
for (const layout of ['cucm', 'tlvfile'] as FixtureLayout[]) describe(`rules: trust lists (${layout} layout)`, () => {
  const diagnose = (workspace: string[], file: string, o: Parameters<typeof diagnoseIn>[2] = {}) => diagnoseIn(workspace, file, { ...o, layout });
  const fixturePath = (rel: string) => fixturePathIn(rel, layout);

  it('finds nothing wrong with the reference cluster', async () => {
    for (const f of ['cluster/ITLFile.tlv', 'cluster/ITLSEP001122334455.tlv']) assert.deepEqual((await diagnose(['cluster'], f)).codes, []);
    assert.deepEqual((await diagnose(['ctl', 'cluster'], 'ctl/CTLFile.tlv')).codes, []);
    assert.deepEqual((await diagnose(['sha512', 'cluster'], 'sha512/ITLFile.tlv')).codes, []);
  });

  it('capf-missing: no CAPF record, in the install guide\'s words', async () => {
    const { diagnostics } = await diagnose(['no-capf'], 'no-capf/ITLFile.tlv');
    assert.deepEqual(diagnostics.map((d) => d.code), ['capf-missing']);
    assert.equal(diagnostics[0].severity, 'warning');
    assert.match(diagnostics[0].message, /No valid CAPF server/);
    assert.match(diagnostics[0].message, /restart the Cisco TFTP service/);
    assert.equal(diagnostics[0].target.in === 'trust-list' && diagnostics[0].target.line, 'summary');
  });

  it('capf-expired: a hash-only record checked against the CAPF.pem beside it', async () => {
    const { diagnostics } = await diagnose(['capf-expired'], 'capf-expired/ITLFile.tlv');
    assert.deepEqual(diagnostics.map((d) => d.code), ['capf-expired']);
    const d = diagnostics[0];
    assert.equal(d.severity, 'error');
    assert.match(d.message, /record #1 .*expired on 2030-06-14 12:00:00 UTC \(1 day ago\), according to CAPF\.pem/);
    assert.equal(d.target.in === 'trust-list' && d.target.tag, RecordTag.CERT_HASH);
    assert.equal(d.target.in === 'trust-list' && d.target.section, 1);
    assert.equal(d.related?.[0].uri, fileUri(fixturePath('capf-expired/CAPF.pem')));
  });

  it('capf-near-expiry follows the near-expiry setting', async () => {
    assert.deepEqual((await diagnose(['capf-near-expiry'], 'capf-near-expiry/ITLFile.tlv')).codes, ['capf-near-expiry']);
    assert.match((await diagnose(['capf-near-expiry'], 'capf-near-expiry/ITLFile.tlv')).diagnostics[0].message, /in 10 days/);
    assert.deepEqual((await diagnose(['capf-near-expiry'], 'capf-near-expiry/ITLFile.tlv', { nearExpiryDays: 9 })).codes, []);
  });

  it('capf-expired from an embedded CAPF certificate (CTL), with a later clock', async () => {
    const later = new Date('2035-01-01T00:00:00Z');
    const { diagnostics } = await diagnose(['ctl'], 'ctl/CTLFile.tlv', { now: later });
    const capf = diagnostics.filter((d) => d.code === 'capf-expired');
    assert.equal(capf.length, 1);
    assert.equal(capf[0].target.in === 'trust-list' && capf[0].target.tag, RecordTag.CERTIFICATE);
    assert.doesNotMatch(capf[0].message, /according to/);
  });

  it('capf-unchecked: a hash-only record with no certificate in the workspace', async () => {
    const { diagnostics } = await diagnose(['capf-regenerated/ITLFile.tlv'], 'capf-regenerated/ITLFile.tlv');
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['capf-unchecked', 'info']]);
  });

  it('capf-mismatch: CAPF regenerated after the ITL was built ("LSC: Connection Failed")', async () => {
    const { diagnostics } = await diagnose(['capf-regenerated'], 'capf-regenerated/ITLFile.tlv');
    assert.deepEqual(diagnostics.map((d) => d.code), ['capf-mismatch']);
    assert.match(diagnostics[0].message, /LSC: Connection Failed/);
    assert.equal(diagnostics[0].related?.[0].uri, fileUri(fixturePath('capf-regenerated/CAPF.pem')));
  });

  it('capf-mismatch looks at the trust list\'s own folder first, not at other clusters\' folders', async () => {
    // Whole fixture tree: capf-regenerated/CAPF.pem (newest CAPF) sits in a sibling folder of cluster/.
    const all = ['cluster', 'capf-regenerated', 'capf-expired', 'capf-near-expiry', 'ctl', 'sha512', 'tampered'];
    assert.deepEqual((await diagnose(all, 'cluster/ITLFile.tlv')).codes, []);
    assert.deepEqual((await diagnose(all, 'sha512/ITLFile.tlv')).codes, []);
    assert.deepEqual((await diagnose(all, 'capf-regenerated/ITLFile.tlv')).codes, ['capf-mismatch']);
    // Nothing in scope and no certificate anywhere carrying the record: the other folders decide.
    assert.deepEqual((await diagnose(['capf-regenerated/CAPF.pem', 'tampered'], 'tampered/ITLFile.tlv')).codes, ['signature-invalid', 'capf-mismatch']);
  });

  it('signature-invalid on the SIGNATURE element of a tampered file', async () => {
    const { diagnostics } = await diagnose(['tampered', 'cluster'], 'tampered/ITLFile.tlv');
    assert.deepEqual(diagnostics.map((d) => d.code), ['signature-invalid']);
    assert.equal(diagnostics[0].target.in === 'trust-list' && diagnostics[0].target.tag, HeaderTag.SIGNATURE);
    assert.match(diagnostics[0].message, /Trust List update failed/);
  });

  it('signer-missing on the header serial of a file signed by a foreign key', async () => {
    const { diagnostics } = await diagnose(['foreign-signer', 'cluster'], 'foreign-signer/ITLFile.tlv');
    assert.deepEqual(diagnostics.map((d) => d.code), ['signer-missing']);
    assert.equal(diagnostics[0].target.in === 'trust-list' && diagnostics[0].target.tag, HeaderTag.SERIAL_NUMBER);
    assert.match(diagnostics[0].message, /ITLRECOVERY_rogue/);
  });

  it('passes the decoder\'s structural codes through with their severity and range', async () => {
    const bad = await diagnose(['malformed', 'cluster'], 'malformed/bad-record-length.tlv');
    assert.deepEqual(bad.codes, ['record-length-mismatch', 'signature-invalid']);
    const empty = await diagnose(['malformed'], 'malformed/empty.tlv');
    assert.deepEqual(empty.codes, ['file-empty']);
    const unknown = await diagnose(['malformed', 'cluster'], 'malformed/unknown-tag.tlv');
    assert.equal(unknown.diagnostics.find((d) => d.code === 'tlv-unknown-tag')?.severity, 'warning');
    const truncated = await diagnose(['truncated'], 'truncated/ITLFile-in-record.tlv');
    assert.ok(truncated.codes.includes('tlv-truncated'));
    assert.ok(!truncated.codes.includes('capf-missing'), 'no guess about CAPF in a damaged file');
  });
});
