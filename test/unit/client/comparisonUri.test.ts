import * as assert from 'node:assert/strict';
import { comparisonSourcesOf, comparisonViewUri, isComparisonViewUri, sourceUriForView } from '../../../server/src/shared/lspExtensions';

/** What VS Code's Uri.parse + toString() do to a query: decode it whole, encode it again (`=`, `&`, `:` too). */
function vscodeSpelling(uri: string): string {
  const q = uri.indexOf('?');
  return `${uri.slice(0, q)}?${encodeURIComponent(decodeURIComponent(uri.slice(q + 1)))}`;
}

describe('client: comparison document URIs', () => {
  const held = 'file:///ws/deployed/ITLFile%20A%26B.tlv';
  const next = 'file:///ws/next/ITLFile.tlv';

  it('names both sources and survives VS Code\'s re-encoding of the query', () => {
    const uri = comparisonViewUri({ heldUri: held, newUri: next });
    assert.ok(uri.startsWith('itl-lens-view:/ws/next/ITLFile.tlv.itlcompare?'));
    for (const spelling of [uri, vscodeSpelling(uri), vscodeSpelling(vscodeSpelling(uri))]) {
      assert.ok(isComparisonViewUri(spelling), spelling);
      assert.deepEqual(comparisonSourcesOf(spelling), { heldUri: held, newUri: next }, spelling);
      assert.equal(sourceUriForView(spelling), undefined, 'not a decoded view of one file');
    }
    const committed = comparisonViewUri({ heldUri: next, newUri: next, heldRevision: 'HEAD' });
    assert.deepEqual(comparisonSourcesOf(vscodeSpelling(committed)), { heldUri: next, newUri: next, heldRevision: 'HEAD' });
  });

  it('rejects anything else', () => {
    assert.equal(comparisonSourcesOf('itl-lens-view:/ws/ITLFile.tlv.itlview?file%3A%2F%2F%2Fws%2FITLFile.tlv'), undefined);
    assert.equal(comparisonSourcesOf('itl-lens-view:/x.itlcompare?%7Bnot json'), undefined);
    assert.equal(comparisonSourcesOf('itl-lens-view:/x.itlcompare?%5B%5D'), undefined);
    assert.equal(comparisonSourcesOf('itl-lens-view:/x.itlcompare?%7B%22held%22%3A1%7D'), undefined);
    assert.equal(isComparisonViewUri(42 as never), false);
  });
});
