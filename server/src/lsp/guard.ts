/**
 * Every request handler runs through `guarded`: before initialize it answers ServerNotInitialized; a request
 * the session cannot serve becomes a RequestFailed error with the session's message; anything else is logged
 * and answered with the handler's empty result (or an InternalError where there is no empty result). The server never crashes on a request.
 */
import { ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { SessionError } from './workspaceSession';

export interface GuardContext {
  initialized(): boolean;
  log(message: string): void;
}

export function guarded<P, R>(g: GuardContext, name: string, empty: R | 'error', handler: (params: P) => R | Promise<R>): (params: P) => Promise<R | ResponseError<void>> {
  return async (params: P) => {
    if (!g.initialized()) return new ResponseError(ErrorCodes.ServerNotInitialized, `ITL Lens: ${name} before initialize`);
    try {
      return await handler(params);
    } catch (e) {
      if (e instanceof SessionError) return new ResponseError(LSPErrorCodes.RequestFailed, e.message);
      g.log(`ITL Lens: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return empty === 'error' ? new ResponseError(ErrorCodes.InternalError, `ITL Lens: ${name} failed: ${e instanceof Error ? e.message : String(e)}`) : empty;
    }
  };
}

/** For notification handlers: log instead of throwing. */
export function quietly<P>(g: GuardContext, name: string, handler: (params: P) => void | Promise<void>): (params: P) => void {
  return (params: P) => {
    try {
      const r = handler(params);
      if (r instanceof Promise) r.catch((e) => g.log(`ITL Lens: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    } catch (e) {
      g.log(`ITL Lens: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  };
}
