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

/** Resolves when `stop` aborts (at once if it already has). */
export function stopped(stop: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true })));
}
