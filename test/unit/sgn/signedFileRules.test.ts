import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { decodeSignedFile } from '../../../server/src/core/sgn/decode';
import { HeaderTag } from '../../../server/src/core/tlv/tags';
import { signedFileRules, SignedFileSource } from '../../../server/src/trust/signedFileRules';
import { WorkspaceTrustList } from '../../../server/src/trust/heldLists';
import { tvsKnowing } from '../../../server/src/trust/phoneTrust';
import { runCli } from '../../helpers/cli';
import { fixturesDir } from '../../helpers/fixtures';
import { list, scenarios } from '../trust/scenarios';

const NAME = 'SEP001122334455.cnf.xml.sgn';

function sgn(bytes: Buffer, p = `/cluster/${NAME}`): SignedFileSource {
  return { uri: `file://${p}`, path: p, bytes, file: decodeSignedFile(bytes, p) };
}
function tlv(bytes: Buffer, p = '/cluster/ITLFile.tlv'): WorkspaceTrustList {
  return { uri: `file://${p}`, path: p, bytes, list: list(bytes, p) };
}
const codes = (ds: { code: string }[]) => ds.map((d) => d.code);

describe('signed-file rules (checked the way a phone checks them)', () => {
  const s = scenarios();

  it('nothing for a configuration signed by the ITL\'s TFTP certificate', () => {
    assert.deepEqual(signedFileRules(sgn(s.configSigned), { trustLists: [tlv(s.heldItl)], certificates: [] }), []);
  });

  it('sgn-signer-untrusted (error) on the signer, with the console words and the TFTP records related', () => {
    const d = signedFileRules(sgn(s.configSignedByForeign), { trustLists: [tlv(s.heldItlWithoutTvs)], certificates: [] });
    assert.deepEqual(codes(d), ['sgn-signer-untrusted']);
    assert.equal(d[0].severity, 'error');
    assert.equal(d[0].target.in === 'trust-list' && d[0].target.tag, HeaderTag.SIGNER_INFO);
    assert.match(d[0].message, /errcode 19 \(signer not in CTL\)/);
    assert.match(d[0].message, /do not take effect/);
    assert.deepEqual(d[0].related!.map((r) => r.target.in === 'trust-list' && r.target.section), [4, 5], "the TFTP records of the ITL without TVS");
  });

  it('sgn-signer-via-tvs (warning) when a TVS of the ITL may vouch; resolved by a TVS oracle', () => {
    const ctx = { trustLists: [tlv(s.heldItl)], certificates: [s.other.callManager.der] };
    const d = signedFileRules(sgn(s.configSignedByOtherCluster), ctx);
    assert.deepEqual(codes(d), ['sgn-signer-via-tvs']);
    assert.equal(d[0].severity, 'warning');
    assert.deepEqual(signedFileRules(sgn(s.configSignedByOtherCluster), { ...ctx, tvs: tvsKnowing([s.other.callManager.der]) }), []);
    assert.deepEqual(codes(signedFileRules(sgn(s.configSignedByOtherCluster), { ...ctx, tvs: tvsKnowing([]) })), ['sgn-signer-untrusted']);
  });

  it('sgn-signature-invalid (error) on the SIGNATURE when the file changed after signing', () => {
    const b = Buffer.from(s.configSigned);
    b[b.length - 3] ^= 0x20;
    const d = signedFileRules(sgn(b), { trustLists: [tlv(s.heldItl)], certificates: [] });
    assert.deepEqual(codes(d), ['sgn-signature-invalid']);
    assert.equal(d[0].target.in === 'trust-list' && d[0].target.tag, HeaderTag.SIGNATURE);
    // Without a trust list, still found with the signer's certificate from the workspace.
    assert.deepEqual(codes(signedFileRules(sgn(b), { trustLists: [], certificates: [s.cluster.callManagerSub.der] })), ['sgn-signature-invalid']);
  });

  it('sgn-filename-mismatch (warning) on FILENAME; a .sha512 may carry the .sgn name', () => {
    const d = signedFileRules(sgn(s.configWrongFilename), { trustLists: [tlv(s.heldItl)], certificates: [] });
    assert.deepEqual(codes(d), ['sgn-filename-mismatch']);
    assert.equal(d[0].target.in === 'trust-list' && d[0].target.tag, HeaderTag.FILENAME);
    assert.deepEqual(signedFileRules(sgn(s.configSigned, '/cluster/SEP001122334455.cnf.xml.sha512'), { trustLists: [tlv(s.heldItl)], certificates: [] }), []);
  });

  it('sgn-signer-unchecked (info) without a trust list beside the file; ITLSEP<MAC> wins over ITLFile', () => {
    const d = signedFileRules(sgn(s.configSigned), { trustLists: [tlv(s.heldItl, '/elsewhere/ITLFile.tlv')], certificates: [] });
    assert.deepEqual(codes(d), ['sgn-signer-unchecked']);
    assert.equal(d[0].severity, 'info');
    const perDevice = signedFileRules(sgn(s.configSignedByForeign), { trustLists: [tlv(s.heldItl), tlv(s.heldItlWithoutTvs, '/cluster/ITLSEP001122334455.tlv')], certificates: [] });
    assert.deepEqual(codes(perDevice), ['sgn-signer-untrusted']);
  });

  it('CAPF settings: cnf-capf-port, cnf-capf-auth-mode, cnf-capf-untrusted, on the values\' bytes', () => {
    const bad = signedFileRules(sgn(s.configBadCapf), { trustLists: [tlv(s.heldItl)], certificates: [] });
    assert.deepEqual(codes(bad), ['cnf-capf-port', 'cnf-capf-auth-mode']);
    const port = bad[0].target.in === 'trust-list' ? bad[0].target.range : undefined;
    assert.equal(s.configBadCapf.subarray(port!.start, port!.end).toString(), '<phonePort>3805</phonePort>');
    const none = signedFileRules(sgn(s.configCapfOperation), { trustLists: [tlv(s.heldItlWithoutCapf)], certificates: [] });
    assert.deepEqual(codes(none), ['cnf-capf-untrusted']);
    assert.deepEqual(signedFileRules(sgn(s.configCapfOperation), { trustLists: [tlv(s.heldItl)], certificates: [] }), []);
  });
});

describe('itl-lens check with signed files: all paths one workspace', () => {
  it('reports each case on the generated fixtures and exits 1 for the error', async () => {
    const dir = path.join(fixturesDir(), 'trust', 'config');
    const r = await runCli(['check', '--json', '.'], dir);
    assert.equal(r.code, 1);
    const found = (JSON.parse(r.out) as { file: string; code: string; offset?: number }[]).filter((f) => f.file.endsWith('.sgn'));
    const by = (folder: string) => found.filter((f) => f.file.startsWith(`${folder}${path.sep}`)).map((f) => f.code);
    assert.deepEqual(by('good'), []);
    assert.deepEqual(by('encrypted'), []);
    assert.deepEqual(by('foreign-signer'), ['sgn-signer-untrusted']);
    assert.deepEqual(by('other-cluster'), ['sgn-signer-via-tvs']);
    assert.deepEqual(by('wrong-filename'), ['sgn-filename-mismatch']);
    assert.deepEqual(by('bad-capf'), ['cnf-capf-port', 'cnf-capf-auth-mode']);
    assert.deepEqual(by('no-capf'), ['cnf-capf-untrusted']);
    assert.deepEqual(by('no-trust-list'), ['sgn-signer-unchecked']);
    assert.ok(found.every((f) => typeof f.offset === 'number'));
    // A signed file named alone is checked against nothing else: unchecked.
    const alone = await runCli(['check', path.join('good', NAME)], dir);
    assert.equal(alone.code, 0);
    assert.match(alone.out, /info sgn-signer-unchecked/);
  });
});
