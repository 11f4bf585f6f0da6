import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { deployedEntries, deployedMatcher, globToRegExp } from '../../../server/src/trust/deployedLists';

describe('trust: itlLens.trust.deployed entries', () => {
  const root = path.resolve('/ws');
  const other = path.resolve('/other');
  const at = (...p: string[]) => path.join(root, ...p);

  it('turns globs into path expressions (*, **, ?, {a,b})', () => {
    assert.ok(globToRegExp('deployed/**/*.tlv').test('deployed/ITLFile.tlv'));
    assert.ok(globToRegExp('deployed/**/*.tlv').test('deployed/pub/ITLFile.tlv'));
    assert.ok(!globToRegExp('deployed/*.tlv').test('deployed/pub/ITLFile.tlv'));
    assert.ok(globToRegExp('ITL?ile.tlv').test('ITLFile.tlv'));
    assert.ok(globToRegExp('{held,deployed}/ITLFile.tlv').test('held/ITLFile.tlv'));
    assert.ok(!globToRegExp('{held,deployed}/ITLFile.tlv').test('next/ITLFile.tlv'));
    assert.ok(!globToRegExp('a.tlv').test('aXtlv'), 'a dot is a dot');
    assert.ok(globToRegExp('{a,b').test('b'), 'an unclosed brace does not throw');
  });

  it('matches paths relative to any workspace folder, folders standing for what is below them', () => {
    const m = deployedMatcher(['deployed', 'held/ITLFile.tlv', './pub/*.tlv'], [root, other], 'linux');
    assert.ok(m(at('deployed', 'ITLFile.tlv')));
    assert.ok(m(at('deployed', 'sub', 'CTLFile.tlv')));
    assert.ok(m(at('held', 'ITLFile.tlv')));
    assert.ok(m(path.join(other, 'pub', 'ITLSEP001122334455.tlv')));
    assert.ok(!m(at('next', 'ITLFile.tlv')));
    assert.ok(!m(at('held', 'CTLFile.tlv')));
    assert.ok(!m(path.resolve('/elsewhere/deployed/ITLFile.tlv')), 'outside every folder');
  });

  it('matches absolute entries as given, and ignores case only where the file system does', () => {
    const abs = at('deployed', 'ITLFile.tlv').split(path.sep).join('/');
    assert.ok(deployedMatcher([abs], [root], 'linux')(at('deployed', 'ITLFile.tlv')));
    assert.ok(!deployedMatcher(['Deployed/itlfile.tlv'], [root], 'linux')(at('deployed', 'ITLFile.tlv')));
    assert.ok(deployedMatcher(['Deployed/itlfile.tlv'], [root], 'win32')(at('deployed', 'ITLFile.tlv')));
  });

  it('reads the setting as a string or a list of strings', () => {
    assert.deepEqual(deployedEntries('deployed/ITLFile.tlv'), ['deployed/ITLFile.tlv']);
    assert.deepEqual(deployedEntries(['a', '', 4, 'b']), ['a', 'b']);
    assert.deepEqual(deployedEntries(undefined), []);
    assert.equal(deployedMatcher([], [root])(at('x.tlv')), false);
  });
});
