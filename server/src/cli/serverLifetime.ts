/** What every `itl-lens *-server` command does around its server: run until Ctrl+C or SIGTERM, print its log, stop cleanly. */
import { CliIo, EXIT_OK } from './io';

/** Runs a long-lived command (a lab server) until Ctrl+C (SIGINT) or SIGTERM aborts the signal it is given. */
export async function untilSignal<T>(serve: (stop: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await serve(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One log line of a lab server as the CLI prints it. */
export function formatServerLog(e: { time: string; event: string; peer?: string; message: string }, eventWidth = 18): string {
  return `${e.time}  ${e.event.padEnd(eventWidth)} ${e.peer ? `${e.peer} ` : ''}${e.message}\n`;
}

export interface RunningServer {
  /** e.g. "TFTP": used in "TFTP server stopped." */
  name: string;
  host: string;
  /** the banner, printed once the server listens ("Press Ctrl+C to stop." is added) */
  banner: string[];
  /** what a non-loopback address exposes, for the warning */
  exposes: string;
  stop(): Promise<void>;
  /** stops printing the server's log */
  unsubscribe(): void;
}

/** Prints the banner, waits for `stop`, stops the server. */
export async function serveUntilStopped(io: CliIo, stop: AbortSignal, s: RunningServer): Promise<number> {
  io.out([...s.banner, 'Press Ctrl+C to stop.', ''].join('\n'));
  if (!['127.0.0.1', '::1', 'localhost'].includes(s.host)) io.err(`warning: listening on ${s.host}, not loopback: ${s.exposes}\n`);
  await new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true })));
  await s.stop();
  s.unsubscribe();
  io.out(`${s.name} server stopped.\n`);
  return EXIT_OK;
}
