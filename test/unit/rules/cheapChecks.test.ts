import * as assert from 'node:assert/strict';
import { buildTrustList, RecordSpec } from '../../../server/src/core/tlv/build';
import { HeaderTag, RecordTag } from '../../../server/src/core/tlv/tags';
import { loadFixtureKeys } from '../../../server/src/lab/cluster/clusterKeys';
import { makeCluster, selfSigned, SERVER_EXTENSIONS } from '../../../server/src/lab/cluster/referenceCluster';
import { referenceItlOptions, referenceRecords } from '../../../server/src/lab/cluster/referenceCluster';
import { decodeTrustListFile } from '../../../server/src/workspace/decodeFile';
import { WorkspaceIndex } from '../../../server/src/workspace/workspaceIndex';
import { diagnoseFile } from '../../../server/src/rules/runRules';
import { KEYS_DIR, TEST_NOW } from '../../helpers/fixtures';

describe('rules: size, SAST count and signer version', () => {
  const keys = loadFixtureKeys(KEYS_DIR);
  const c = makeCluster(TEST_NOW, keys);
  const check = (bytes: Buffer) => {
    const file = decodeTrustListFile({ uri: 'file:///ws/ITLFile.tlv', path: '/ws/ITLFile.tlv', name: 'ITLFile.tlv', bytes });
    return diagnoseFile(file, { now: TEST_NOW, nearExpiryDays: 30, index: new WorkspaceIndex() });
  };

  it('too-many-sast on each SAST record past the second', () => {
    const records: RecordSpec[] = [...referenceRecords(c), { role: 0, certificate: c.tvsPub.der }];
    const found = check(buildTrustList(referenceItlOptions(c, TEST_NOW, records))).filter((d) => d.code === 'too-many-sast');
    assert.equal(found.length, 1);
    assert.equal(found[0].target.in === 'trust-list' && found[0].target.section, 8);
    assert.equal(found[0].target.in === 'trust-list' && found[0].target.tag, RecordTag.FUNCTION);
  });

  it('ec-signer-version when an EC certificate sits in a signer version 1.0 file', () => {
    const found = check(buildTrustList({ ...referenceItlOptions(c, TEST_NOW), signerVersion: '1.0' })).filter((d) => d.code === 'ec-signer-version');
    assert.equal(found.length, 1);
    assert.equal(found[0].target.in === 'trust-list' && found[0].target.tag, HeaderTag.SIGNER_VERSION);
    assert.match(found[0].message, /^Record #7 \(TFTP ao115sub-EC\) holds an EC certificate/);
    assert.equal(found[0].related?.length, 1);
    assert.equal(check(buildTrustList(referenceItlOptions(c, TEST_NOW))).filter((d) => d.code === 'ec-signer-version').length, 0);
  });

  it('too-many-records past 39, and file-too-large past 64 KB', () => {
    const records: RecordSpec[] = [...referenceRecords(c)];
    for (let i = 0; records.length < 42; i++) {
      records.push({ role: 1, certificate: selfSigned({ cn: `ccm${i}`, key: keys['tvs-pub'], now: TEST_NOW, notBeforeDays: -1, notAfterDays: 900, extensions: SERVER_EXTENSIONS }) });
    }
    const bytes = buildTrustList(referenceItlOptions(c, TEST_NOW, records));
    assert.ok(bytes.length > 64 * 1024, `${bytes.length} bytes`);
    const found = check(bytes);
    const many = found.find((d) => d.code === 'too-many-records')!;
    assert.equal(many.target.in === 'trust-list' && many.target.section, 40);
    const large = found.find((d) => d.code === 'file-too-large')!;
    assert.deepEqual(large.target, { in: 'trust-list', range: { start: 0, end: bytes.length }, line: 'summary' });
    assert.equal(check(buildTrustList(referenceItlOptions(c, TEST_NOW, records.slice(0, 39)))).filter((d) => d.code === 'too-many-records').length, 0);
  });
});
