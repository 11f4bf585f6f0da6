import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { labStartParams, resolveStateDirectory } from '../../../client/src/lab/labSettings';

describe('client: lab settings', () => {
  const folder = path.resolve('/work/site-a');

  it('leaves an empty state directory to the server default', () => {
    assert.equal(resolveStateDirectory('', folder), undefined);
    assert.equal(resolveStateDirectory('   ', undefined), undefined);
  });

  it('resolves relative paths and ${workspaceFolder} against the first folder', () => {
    assert.equal(resolveStateDirectory('lab', folder), path.join(folder, 'lab'));
    assert.equal(resolveStateDirectory('${workspaceFolder}/x/../lab', folder), path.join(folder, 'lab'));
  });

  it('keeps absolute paths, and refuses a relative one with no folder open', () => {
    const abs = path.resolve('/var/lab');
    assert.equal(resolveStateDirectory(abs, undefined), abs);
    assert.throws(() => resolveStateDirectory('lab', undefined), /relative and no folder is open/);
  });

  it('maps host, port and state directory to LabStartParams', () => {
    assert.deepEqual(labStartParams({ host: ' 127.0.0.1 ', port: 3804, stateDirectory: '', tlsMin: '1.2' }, folder), {
      host: '127.0.0.1',
      port: 3804,
      stateDir: undefined,
      tlsMin: '1.2',
    });
    assert.deepEqual(labStartParams({ host: '', port: 0, stateDirectory: '.lab', tlsMin: ' 1.0 ' }, folder), {
      host: undefined,
      port: 0,
      stateDir: path.join(folder, '.lab'),
      tlsMin: '1.0',
    });
    assert.equal(labStartParams({ host: '', port: 0, stateDirectory: '', tlsMin: '' }, folder).tlsMin, undefined, 'empty: the server default');
  });
});
