import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { dependentsOf } from '../../../server/src/rules/dependencies';
import { loadPaths } from '../../../server/src/workspace/loadPaths';
import { fileUri } from '../../../server/src/workspace/uris';
import { fixturePath } from '../../helpers/fixtures';

describe('rules: which files a change affects', () => {
  const names = (uris: Set<string>) => [...uris].map((u) => path.relative(fixturePath('.'), new URL(u).pathname)).sort();

  it('a trust list affects the CAPF certificate files its CAPF record names or shares a subject with', async () => {
    const { index } = await loadPaths([fixturePath('cluster'), fixturePath('capf-regenerated')]);
    const itl = index.get(fileUri(fixturePath('cluster/ITLFile.tlv')))!;
    assert.deepEqual(names(dependentsOf(itl, index)), ['capf-regenerated/CAPF.pem', 'cluster/CAPF.der', 'cluster/CAPF.pem']);
  });

  it('a CAPF certificate affects the trust lists whose CAPF records name it or share its subject; others affect none', async () => {
    const { index } = await loadPaths([fixturePath('cluster'), fixturePath('capf-regenerated'), fixturePath('certs')]);
    const regenerated = index.get(fileUri(fixturePath('capf-regenerated/CAPF.pem')))!;
    assert.deepEqual(names(dependentsOf(regenerated, index)), ['capf-regenerated/ITLFile.tlv', 'cluster/ITLFile.tlv', 'cluster/ITLSEP001122334455.tlv']);
    // CallManager.pem is carried by SAST and TFTP records, which no rule reads from other files.
    assert.deepEqual(names(dependentsOf(index.get(fileUri(fixturePath('cluster/CallManager.pem')))!, index)), []);
    assert.deepEqual(names(dependentsOf(index.get(fileUri(fixturePath('certs/expired.pem')))!, index)), []);
  });
});
