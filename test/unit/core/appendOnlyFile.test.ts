import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppendOnlyFile } from '../../../server/src/core/fs/appendOnlyFile';
import { writeFileAtomicAsync } from '../../../server/src/core/fs/atomicWriteAsync';

// The tests below make the disk fail where a real one fails (a full disk part-way through a write, a flush
// that reports an error) by replacing node:fs functions for one call; the modules read them through the
// module object, so they see the replacement.
const realFs = require('node:fs') as typeof fs;

function tempFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-fs-')), name);
}

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

describe('core: append-only file', () => {
  it('a write cut short by a full disk leaves no fragment: the next append starts on a line of its own', async () => {
    const file = tempFile('j.log');
    const out = new AppendOnlyFile(file);
    await out.append(Buffer.from('first line\n'), { dataSync: true });
    const writeSync = realFs.writeSync;
    let calls = 0;
    // half of the next write goes to the file, then the disk is full
    realFs.writeSync = ((fd: number, buffer: Buffer, offset: number, length: number) => {
      if (++calls === 1) return writeSync(fd, buffer, offset, Math.floor(length / 2));
      throw enospc();
    }) as typeof fs.writeSync;
    try {
      await assert.rejects(out.append(Buffer.from('second line, never acknowledged\n'), { dataSync: true }), /ENOSPC/);
    } finally {
      realFs.writeSync = writeSync;
    }
    assert.equal(fs.readFileSync(file, 'utf8'), 'first line\n', 'cut back to the last whole append');
    await out.append(Buffer.from('third line\n'), { dataSync: true });
    assert.equal(fs.readFileSync(file, 'utf8'), 'first line\nthird line\n');
    await out.close();
  });

  it('an append whose flush fails is taken back (it was never acknowledged); a header is written again for an emptied file', async () => {
    const file = tempFile('j.log');
    const out = new AppendOnlyFile(file);
    const header = () => Buffer.from('HEADER\n');
    const fdatasync = realFs.fdatasync;
    realFs.fdatasync = ((_fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))) as typeof fs.fdatasync;
    try {
      await assert.rejects(out.append(Buffer.from('lost\n'), { dataSync: true, header }), /EIO/);
    } finally {
      realFs.fdatasync = fdatasync;
    }
    assert.equal(fs.readFileSync(file, 'utf8'), '');
    await out.append(Buffer.from('kept\n'), { dataSync: true, header });
    assert.equal(fs.readFileSync(file, 'utf8'), 'HEADER\nkept\n');
    await out.close();
  });
});

describe('core: atomic write', () => {
  it('a short write (disk full) fails the write and leaves the old file whole', async () => {
    const file = tempFile('capf.key.pem');
    await writeFileAtomicAsync(file, 'the old, whole key\n', 0o600);
    const write = realFs.write;
    realFs.write = ((fd: number, buffer: Buffer, offset: number, length: number, position: null, cb: (e: Error | null, n: number) => void) =>
      write(fd, buffer, offset, Math.floor(length / 2), position, cb)) as unknown as typeof fs.write;
    try {
      await assert.rejects(writeFileAtomicAsync(file, 'a new key that does not fit on the disk\n', 0o600), /short write/);
    } finally {
      realFs.write = write;
    }
    assert.equal(fs.readFileSync(file, 'utf8'), 'the old, whole key\n');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['capf.key.pem'], 'no temporary file left');
  });

  it('flushes the folder after the rename, and after making a new append-only file, so that a power loss cannot undo the name', async () => {
    const file = tempFile('capf-devices.json');
    const dir = path.dirname(file);
    const events: string[] = [];
    const { open, fsync, rename } = realFs;
    const dirFds = new Set<number>();
    realFs.open = ((p: string, flags: string, ...rest: unknown[]) => {
      const cb = rest.pop() as (e: Error | null, fd: number) => void;
      return (open as unknown as (...a: unknown[]) => void)(p, flags, ...rest, (e: Error | null, fd: number) => {
        if (!e && p === dir) dirFds.add(fd);
        cb(e, fd);
      });
    }) as unknown as typeof fs.open;
    realFs.fsync = ((fd: number, cb: (e: Error | null) => void) => {
      events.push(dirFds.has(fd) ? 'fsync folder' : 'fsync file');
      return fsync(fd, cb);
    }) as typeof fs.fsync;
    realFs.rename = ((a: string, b: string, cb: (e: Error | null) => void) => {
      events.push('rename');
      return rename(a, b, cb);
    }) as typeof fs.rename;
    try {
      await writeFileAtomicAsync(file, '{}\n');
      assert.deepEqual(events, ['fsync file', 'rename', 'fsync folder']);
      events.length = 0;
      const journal = new AppendOnlyFile(path.join(dir, 'capf-devices.journal'));
      await journal.append(Buffer.from('line\n'));
      await journal.append(Buffer.from('line\n'));
      assert.deepEqual(events, ['fsync folder'], 'once, when the file is made');
      await journal.close();
    } finally {
      Object.assign(realFs, { open, fsync, rename });
    }
  });
});
