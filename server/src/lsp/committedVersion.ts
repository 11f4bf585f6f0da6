/**
 * A file as last committed to git: `git show HEAD:./<name>` run in the file's folder (for "Compare with
 * Committed Version"). Errors say what to do in plain words. git runs without a shell; the client asks for this
 * only in a trusted workspace (a repository's configuration can run programs).
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { MAX_INDEXED_FILE_BYTES } from '../workspace/scanFolders';

const GIT_TIMEOUT_MS = 15_000;

export class CommittedVersionError extends Error {}

function git(cwd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-C', cwd, ...args],
      { encoding: 'buffer', maxBuffer: MAX_INDEXED_FILE_BYTES + 1, timeout: GIT_TIMEOUT_MS, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' } },
      (error, stdout, stderr) => {
        if (!error) resolve(stdout);
        else reject(Object.assign(error, { stderrText: Buffer.isBuffer(stderr) ? stderr.toString('utf8') : String(stderr ?? '') }));
      },
    );
  });
}

/** The bytes of `file` at HEAD. */
export async function committedVersion(file: string): Promise<Buffer> {
  const dir = path.dirname(file);
  const name = path.basename(file);
  try {
    await git(dir, ['rev-parse', '--show-toplevel']);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CommittedVersionError('git is not installed or not on the PATH: install git to compare with the committed version.');
    throw new CommittedVersionError(`${file} is not in a git repository: there is no committed version to compare with. Use "ITL Lens: Compare Trust Lists" with a copy of the file phones hold.`);
  }
  try {
    return await git(dir, ['show', `HEAD:./${name}`]);
  } catch (e) {
    const stderr = (e as { stderrText?: string }).stderrText ?? '';
    if (/invalid object name 'HEAD'|ambiguous argument 'HEAD'|bad revision 'HEAD'/i.test(stderr)) throw new CommittedVersionError(`The repository of ${file} has no commit yet: commit the trust list phones hold first, then compare.`);
    if (/exists on disk, but not in|does not exist in|path .* does not exist/i.test(stderr)) throw new CommittedVersionError(`${name} is not committed (git show HEAD:${name} finds no such file): commit the version phones hold first, then compare.`);
    if (/maxBuffer/i.test(String((e as Error).message))) throw new CommittedVersionError(`${name} at HEAD is larger than 4 MB: not a trust list.`);
    throw new CommittedVersionError(`git show HEAD:${name} failed: ${stderr.trim() || (e as Error).message}`);
  }
}
