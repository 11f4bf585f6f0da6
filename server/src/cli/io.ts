import { escapeControlsInText } from '../core/text/controlChars';

/** What a CLI command gets: its arguments and where to write. Commands return their exit code. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  /** stderr is a terminal (progress lines are shown only there) */
  errIsTerminal?: boolean;
}

/**
 * The io every command writes through: control characters escaped (tabs and line feeds kept), so that what
 * a trust list, a certificate or a phone holds cannot drive the terminal. JSON output keeps its meaning: C0
 * is already escaped in its strings, and a C1 character becomes the JSON escape of itself.
 */
export function printableIo(io: CliIo): CliIo {
  return { cwd: io.cwd, out: (t) => io.out(escapeControlsInText(t)), err: (t) => io.err(escapeControlsInText(t)) };
}

/** Exit codes: 0 all well, 1 problems found / operation failed, 2 usage error or unreadable input. */
export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Tiny argument parser: `--flag value`, `--flag=value`, boolean flags, repeatable options, positionals. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string[]>;
  flags: Set<string>;
}

export function parseArgs(args: string[], spec: { booleans?: string[]; values?: string[] }): ParsedArgs {
  const booleans = new Set(spec.booleans ?? []);
  const values = new Set(spec.values ?? []);
  const out: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (booleans.has(name)) {
        if (eq > 0) throw new UsageError(`${name} takes no value`);
        out.flags.add(name);
        continue;
      }
      if (values.has(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        out.options.set(name, [...(out.options.get(name) ?? []), v]);
        continue;
      }
      throw new UsageError(`unknown option ${name}`);
    }
    out.positionals.push(a);
  }
  return out;
}

export function single(p: ParsedArgs, name: string): string | undefined {
  const v = p.options.get(name);
  if (v && v.length > 1) throw new UsageError(`${name} may be given only once`);
  return v?.[0];
}
