/**
 * What the client passes when it starts the server: `initializationOptions` `{ now?: ISO-8601, settings?: itlLens
 * section, workspaceTrusted?: boolean }`. The clock can also be fixed with the environment variable ITL_LENS_NOW (tests, screenshots).
 */
import { parseSettings, ServerSettings } from './settings';

export interface StartupOptions {
  /** a fixed clock, or undefined for the real one */
  fixedNow?: Date;
  /** settings to use until (or instead of) workspace/configuration */
  settings?: ServerSettings;
  /** the client says the workspace is trusted (only `true` counts): lab requests are served only then */
  workspaceTrusted: boolean;
}

function parseDate(v: unknown): Date | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function parseStartupOptions(initializationOptions: unknown, env: NodeJS.ProcessEnv = process.env): StartupOptions {
  const o = typeof initializationOptions === 'object' && initializationOptions !== null ? (initializationOptions as Record<string, unknown>) : {};
  return {
    fixedNow: parseDate(o.now) ?? parseDate(env.ITL_LENS_NOW),
    settings: o.settings !== undefined ? parseSettings(o.settings) : undefined,
    workspaceTrusted: o.workspaceTrusted === true,
  };
}
