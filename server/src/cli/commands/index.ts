/** Every `itl-lens` subcommand, one module each. Add a command by adding one import and one entry. */
import { CliCommand } from '../io';
import { capfServerCommand } from './capfServer';
import { capfCommand } from './capf';
import { phoneCommand } from './phone';
import { labCommand } from './lab';
import { decodeCommand } from './decode';
import { buildCommand } from './build';
import { fixturesCommand } from './fixtures';
import { checkCommand } from './check';
import { tftpServerCommand } from './tftpServer';
import { tvsServerCommand } from './tvsServer';
import { tvsCommand } from './tvs';
import { compareCommand } from './compare';
import { signCommand } from './sign';

export const COMMANDS: CliCommand[] = [
  decodeCommand,
  buildCommand,
  signCommand,
  fixturesCommand,
  checkCommand,
  compareCommand,
  capfServerCommand, capfCommand, phoneCommand, labCommand,
  tftpServerCommand, tvsServerCommand, tvsCommand,
];
