/** `itl-lens`: the same engine as the editor, for terminals and CI. */
import { COMMANDS } from './commands';
import { CliIo, EXIT_USAGE, UsageError, printableIo } from './io';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'itl-lens — decode, check and lab-test Cisco IP-phone trust lists and certificates',
    '',
    'Usage: itl-lens <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'itl-lens <command> --help' for a command's options.",
    'Exit codes: 0 all well, 1 problems found or operation failed, 2 usage error or unreadable input.',
  ].join('\n');
}

export async function main(argv: string[], rawIo: CliIo): Promise<number> {
  const io = printableIo(rawIo);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help() + '\n');
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version') {
    io.out('itl-lens 0.1.0\n');
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`itl-lens: unknown command '${name}'; run 'itl-lens --help' for the list\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`itl-lens ${name}: ${e.message}\n${cmd.usage}\n`);
      return EXIT_USAGE;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR')) {
      io.err(`itl-lens ${name}: cannot read ${err.path ?? 'input'}: ${err.code === 'ENOENT' ? 'no such file' : err.code}\n`);
      return EXIT_USAGE;
    }
    io.err(`itl-lens ${name}: ${err?.message ?? String(e)}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module || process.env.ITL_LENS_CLI_MAIN === '1') {
  const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), cwd: process.cwd(), errIsTerminal: process.stderr.isTTY === true };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`itl-lens: ${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
