import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFiles, findIndexedFiles, isInSkippedFolder, isIndexedPath, readIndexedFile, MAX_INDEXED_FILE_BYTES } from '../../../server/src/workspace/scanFolders';
import { loadPaths } from '../../../server/src/workspace/loadPaths';
import { canonicalUri, uriToPath } from '../../../server/src/workspace/uris';

describe('workspace scan', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-scan-'));
    for (const rel of ['a/ITLFile.tlv', 'a/b/CAPF.PEM', 'c.crt', 'd.cer', 'e.der', 'notes.txt', 'node_modules/x.pem', '.git/y.tlv', '.itl-lens-lab/ca.pem', 'a/capf-devices.json', 'node_modules/p/capf-devices.json']) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), 'x');
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds trust lists and certificate files, skipping node_modules and dot-folders', async () => {
    const found = (await findIndexedFiles(root)).map((f) => path.relative(root, f).split(path.sep).join('/'));
    assert.deepEqual(found, ['a/ITLFile.tlv', 'a/b/CAPF.PEM', 'c.crt', 'd.cer', 'e.der']);
  });

  it('finds files by any name test, with the same skipped folders and a file limit', async () => {
    const rel = (files: string[]) => files.map((f) => path.relative(root, f).split(path.sep).join('/'));
    const tables = await findFiles(root, (name) => name === 'capf-devices.json');
    assert.deepEqual(rel(tables), ['a/capf-devices.json']);
    const both = await findFiles(root, (name) => isIndexedPath(name) || name === 'capf-devices.json');
    assert.deepEqual(rel(both), ['a/ITLFile.tlv', 'a/b/CAPF.PEM', 'a/capf-devices.json', 'c.crt', 'd.cer', 'e.der']);
    assert.equal((await findFiles(root, () => true, { maxFiles: 2 })).length, 2);
  });

  it('knows the extensions and skipped folders', () => {
    assert.ok(isIndexedPath('/x/ITLSEP0011.TLV'));
    assert.ok(!isIndexedPath('/x/readme.md'));
    assert.ok(isInSkippedFolder(path.join(root, '.git', 'y.tlv'), root));
    assert.ok(!isInSkippedFolder(path.join(root, 'a', 'ITLFile.tlv'), root));
  });

  it("reads the lab folder's TFTP root (what its phones download), and nothing else of the lab folder", async () => {
    const lab = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-scan-lab-'));
    try {
      for (const rel of ['.itl-lens-lab/tftp/ITLFile.tlv', '.itl-lens-lab/tftp/ITLSEP001122334455.tlv', '.itl-lens-lab/tftp/.hidden/x.tlv', '.itl-lens-lab/capf/capf.pem', '.itl-lens-lab/phones/SEP001122334455/trust/itl.tlv', 'sub/.itl-lens-lab/tftp/CTLFile.tlv', '.other/tftp/ITLFile.tlv']) {
        fs.mkdirSync(path.dirname(path.join(lab, rel)), { recursive: true });
        fs.writeFileSync(path.join(lab, rel), 'x');
      }
      // a tftp/ that is a symbolic link out of the workspace is not followed
      fs.mkdirSync(path.join(lab, 'sub2', '.itl-lens-lab'), { recursive: true });
      fs.symlinkSync(path.join(lab, '.other'), path.join(lab, 'sub2', '.itl-lens-lab', 'tftp'));
      const found = (await findIndexedFiles(lab)).map((f) => path.relative(lab, f).split(path.sep).join('/'));
      assert.deepEqual(found, ['.itl-lens-lab/tftp/ITLFile.tlv', '.itl-lens-lab/tftp/ITLSEP001122334455.tlv', 'sub/.itl-lens-lab/tftp/CTLFile.tlv']);
      // the file watcher's events agree with the walk
      assert.ok(!isInSkippedFolder(path.join(lab, '.itl-lens-lab', 'tftp', 'ITLFile.tlv'), lab));
      assert.ok(!isInSkippedFolder(path.join(lab, 'sub', '.itl-lens-lab', 'tftp', 'CTLFile.tlv'), lab));
      assert.ok(isInSkippedFolder(path.join(lab, '.itl-lens-lab', 'tftp', '.hidden', 'x.tlv'), lab));
      assert.ok(isInSkippedFolder(path.join(lab, '.itl-lens-lab', 'capf', 'capf.pem'), lab));
      assert.ok(isInSkippedFolder(path.join(lab, '.itl-lens-lab', 'phones', 'SEP001122334455', 'trust', 'itl.tlv'), lab));
      assert.ok(isInSkippedFolder(path.join(lab, '.other', 'tftp', 'ITLFile.tlv'), lab));
    } finally {
      fs.rmSync(lab, { recursive: true, force: true });
    }
  });

  it('reads nothing for missing, folder and oversized paths', async () => {
    assert.equal(await readIndexedFile(path.join(root, 'missing.tlv')), undefined);
    assert.equal(await readIndexedFile(path.join(root, 'a')), undefined);
    const big = path.join(root, 'big.der');
    fs.writeFileSync(big, Buffer.alloc(MAX_INDEXED_FILE_BYTES + 1));
    assert.equal(await readIndexedFile(big), undefined);
    fs.rmSync(big);
  });

  it('loads explicitly named files whatever their name, and reports the ones it cannot use', async () => {
    const { index, skipped } = await loadPaths([path.join(root, 'notes.txt'), path.join(root, 'a')]);
    assert.deepEqual(skipped.map((s) => path.basename(s)), ['notes.txt']);
    assert.equal(index.size, 2);
  });

  it('canonicalises file URIs through their path', () => {
    assert.equal(canonicalUri('file:///tmp/a%20b.tlv'), canonicalUri('file:///tmp/a b.tlv'));
    assert.equal(uriToPath('file:///tmp/a%20b.tlv'), '/tmp/a b.tlv');
    assert.equal(uriToPath('untitled:Untitled-1'), undefined);
    assert.equal(canonicalUri('untitled:Untitled-1'), 'untitled:Untitled-1');
  });
});
