import * as assert from 'node:assert/strict';
import { trustContinuityRules, heldCounterpart } from '../../../server/src/trust/continuityRules';
import { WorkspaceTrustList } from '../../../server/src/trust/heldLists';
import { HeaderTag } from '../../../server/src/core/tlv/tags';
import { tvsKnowing } from '../../../server/src/trust/phoneTrust';
import { RULE_CODES } from '../../../server/src/rules/codes';
import { list, scenarios } from './scenarios';

function file(p: string, bytes: Buffer): WorkspaceTrustList {
  return { uri: `file://${p}`, path: p, bytes, list: list(bytes, p) };
}

describe('trust continuity rules (deployed vs candidate)', () => {
  const s = scenarios();
  const deployed = [file('/deployed/ITLFile.tlv', s.heldItlWithoutTvs), file('/deployed/ITLSEP001122334455.tlv', s.heldItl)];

  it('picks the held list: ITLSEP<MAC> against that MAC, else ITLFile.tlv', () => {
    assert.equal(heldCounterpart(file('/next/ITLSEP001122334455.tlv', s.otherClusterItl), deployed, 'ITL')?.path, '/deployed/ITLSEP001122334455.tlv');
    assert.equal(heldCounterpart(file('/next/ITLSEPAABBCCDDEEFF.tlv', s.otherClusterItl), deployed, 'ITL')?.path, '/deployed/ITLFile.tlv');
    assert.equal(heldCounterpart(file('/next/ITLFile.tlv', s.otherClusterItl), deployed, 'ITL')?.path, '/deployed/ITLFile.tlv');
    assert.equal(heldCounterpart(file('/next/CTLFile.tlv', s.heldCtl), deployed, 'CTL'), undefined);
  });

  it('trust-update-rejected (error) on the header signer, related to the held SAST records', () => {
    const f = trustContinuityRules(deployed, [file('/next/ITLFile.tlv', s.otherClusterItl)]);
    assert.equal(f.length, 1);
    const d = f[0];
    assert.equal(d.code, 'trust-update-rejected');
    assert.equal(d.severity, RULE_CODES['trust-update-rejected']);
    assert.equal(d.uri, 'file:///next/ITLFile.tlv');
    assert.equal(d.target.in, 'trust-list');
    const signerInfo = list(s.otherClusterItl).header.elements.find((e) => e.tag === HeaderTag.SIGNER_INFO)!;
    assert.deepEqual(d.target.in === 'trust-list' && d.target.range, signerInfo.range);
    assert.deepEqual(d.related!.map((r) => r.uri), ['file:///deployed/ITLFile.tlv', 'file:///deployed/ITLFile.tlv']);
    assert.match(d.message, /"Trust List update failed"/);
    assert.match(d.message, /utils itl reset remotekey/);
  });

  it('trust-update-needs-tvs (warning) when a held TVS may vouch; nothing when TVS knows the signer or it is accepted', () => {
    const f = trustContinuityRules(deployed, [file('/next/ITLSEP001122334455.tlv', s.otherClusterItl)]);
    assert.deepEqual(f.map((x) => [x.code, x.severity]), [['trust-update-needs-tvs', 'warning']]);
    assert.deepEqual(f[0].related!.map((r) => r.target.in === 'trust-list' && r.target.section), [2, 4]);
    assert.deepEqual(trustContinuityRules(deployed, [file('/next/ITLSEP001122334455.tlv', s.otherClusterItl)], tvsKnowing([s.other.itlRecovery.der])), []);
    assert.deepEqual(trustContinuityRules(deployed, [file('/next/ITLFile.tlv', s.heldItlWithoutTvs)]), []);
  });

  it('a candidate with no held counterpart is not judged', () => {
    assert.deepEqual(trustContinuityRules([], [file('/next/ITLFile.tlv', s.otherClusterItl)]), []);
  });
});
