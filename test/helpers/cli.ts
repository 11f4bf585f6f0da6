/** Runs the CLI in-process with captured output. */
import { main } from '../../server/src/cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: string[], cwd = process.cwd()): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t), cwd });
  return { code, out, err };
}
