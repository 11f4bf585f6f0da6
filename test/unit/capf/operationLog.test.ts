import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperationLog, OperationLogEntry } from '../../../server/src/lab/capf/service/operationLog';
import { removeTempDirs, tempDir, T0 } from './helpers';

const entry = (i: number): OperationLogEntry => ({ time: new Date(T0.getTime() + i * 1000).toISOString(), event: 'auth', message: `line ${i}`, session: i });

describe('capf: the operation log (operations.log)', () => {
  after(removeTempDirs);

  it('appends whole JSON lines in order, and tells listeners of each entry at once', async () => {
    const log = new OperationLog(path.join(tempDir(), 'sub', 'operations.log'));
    const heard: string[] = [];
    const stop = log.onEntry((e) => heard.push(e.message));
    for (let i = 0; i < 50; i++) log.append(entry(i));
    assert.equal(heard.length, 50, 'listeners do not wait for the file');
    stop();
    log.append(entry(50));
    assert.equal(heard.length, 50, 'an unsubscribed listener hears nothing more');
    const back = await log.readAll();
    assert.deepEqual(back.map((e) => e.message), Array.from({ length: 51 }, (_, i) => `line ${i}`));
    assert.ok(fs.readFileSync(log.file, 'utf8').endsWith('\n'));
    await log.close();
  });

  it('starts a new file when the log is deleted or moved away while the server keeps it open', async () => {
    const dir = tempDir();
    const log = new OperationLog(path.join(dir, 'operations.log'));
    log.append(entry(1));
    await log.flush();
    fs.rmSync(log.file);
    log.append(entry(2));
    await log.flush();
    assert.deepEqual((await log.readAll()).map((e) => e.message), ['line 2'], 'a deleted log is recreated, not written into the void');
    fs.renameSync(log.file, path.join(dir, 'operations.old.log'));
    log.append(entry(3));
    await log.flush();
    assert.deepEqual((await log.readAll()).map((e) => e.message), ['line 3']);
    assert.equal(fs.readFileSync(path.join(dir, 'operations.old.log'), 'utf8').trim().split('\n').length, 1, 'the moved file keeps what it had');
    assert.equal(log.failures, 0);
    await log.close();
  });
});
