/** Every `itl-lens` subcommand, one module each. Add a command by adding one import and one entry. */
import { CliCommand } from '../io';
import { decodeCommand } from './decode';
import { buildCommand } from './build';
import { fixturesCommand } from './fixtures';

export const COMMANDS: CliCommand[] = [
  decodeCommand,
  buildCommand,
  fixturesCommand,
];
