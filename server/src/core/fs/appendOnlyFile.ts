/**
 * A file kept open for appending, for the lab's append-only files (the operation log, the LSC register, the
 * device table's journal): one write per batch instead of an open, a write and a close. Opened on first use
 * (folder created), reopened when the open file is no longer the one at the path (deleted or moved away while
 * the server runs), so that appends never go into a file nobody can see.
 *
 * The bytes are written synchronously (an append of a batch to the page cache takes microseconds; handing it to
 * libuv's thread pool cost the event loop more, in wake-ups, on a busy 2-core machine); only the flush to disk
 * (fdatasync), which waits for the device, goes to the thread pool.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { syncDir } from './atomicWriteAsync';

export class AppendOnlyFile {
  private fd: number | undefined;
  /** the open file was empty when opened: the next append starts it (with its header, if the caller has one) */
  private fresh = false;

  constructor(readonly file: string) {}

  /**
   * Appends all of `bytes`; with `dataSync`, resolves only once they are on disk (fdatasync). `header` is
   * written first when the file is new or empty (also when it was recreated because the old one went away).
   */
  async append(bytes: Buffer, o: { dataSync?: boolean; header?: () => Buffer } = {}): Promise<void> {
    const fd = await this.open();
    let before: number | undefined;
    let done = 0;
    try {
      before = fs.fstatSync(fd).size;
      const out = this.fresh && o.header ? Buffer.concat([o.header(), bytes]) : bytes;
      while (done < out.length) done += fs.writeSync(fd, out, done, out.length - done);
      this.fresh = false;
      if (o.dataSync) await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
    } catch (e) {
      // An append that failed (disk full part-way, a flush that failed) is not acknowledged, so it must not
      // stay in the file either: a fragment without its line end would swallow the next append's first line.
      // (only when nothing was appended after it: another process's line that follows stays)
      if (before !== undefined) {
        try {
          if (fs.fstatSync(fd).size === before + done) {
            fs.ftruncateSync(fd, before);
            this.fresh = before === 0;
          }
        } catch {
          /* the file may be gone: it is reopened next time */
        }
      }
      this.forget(); // reopen next time: the file may have been moved or its folder removed
      throw e;
    }
  }

  /** Empties the file and starts it afresh at the next append (with its header). */
  restart(): void {
    try {
      fs.truncateSync(this.file, 0);
    } catch {
      /* gone, or not ours to change: the next append opens whatever is at the path */
    }
    this.forget();
  }

  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
  }

  private async open(): Promise<number> {
    if (this.fd !== undefined && !this.stillAtPath(this.fd)) this.forget();
    if (this.fd === undefined) {
      await fsp.mkdir(path.dirname(this.file), { recursive: true });
      const fd = await new Promise<number>((resolve, reject) => fs.open(this.file, 'a', 0o644, (e, fd) => (e ? reject(e) : resolve(fd))));
      const fresh = fs.fstatSync(fd).size === 0;
      // a file just made: its name must be durable before anything in it is acknowledged (folder fsync)
      if (fresh) await new Promise<void>((resolve, reject) => syncDir(path.dirname(this.file), (e) => (e ? (fs.close(fd, () => undefined), reject(e)) : resolve())));
      this.fd = fd;
      this.fresh = fresh;
    }
    return this.fd;
  }

  /** True while the open file is still the one at the path (an fstat and a stat: microseconds, once per batch). */
  private stillAtPath(fd: number): boolean {
    try {
      const open = fs.fstatSync(fd);
      const named = fs.statSync(this.file);
      return open.nlink > 0 && open.ino === named.ino && open.dev === named.dev;
    } catch {
      return false;
    }
  }

  private forget(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) fs.close(fd, () => undefined);
  }
}
