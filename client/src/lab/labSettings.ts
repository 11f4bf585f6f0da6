/** The itlLens.lab.* settings as the parameters of the Lab* requests (pure: unit-tested without VS Code). */
import * as path from 'node:path';
import type { LabStartParams } from '../../../server/src/shared/lspExtensions';

export interface LabSettings {
  host: string;
  port: number;
  stateDirectory: string;
  /** itlLens.lab.tlsMin: '1.0' | '1.1' | '1.2' (the server checks it) */
  tlsMin: string;
}

/**
 * The lab state folder as an absolute path, or undefined for the server's default (<workspace>/.itl-lens-lab).
 * `${workspaceFolder}` and relative paths resolve against the first workspace folder; without one they cannot.
 */
export function resolveStateDirectory(setting: string, workspaceFolder: string | undefined): string | undefined {
  const raw = setting.trim();
  if (!raw) return undefined;
  const expanded = workspaceFolder ? raw.split('${workspaceFolder}').join(workspaceFolder) : raw;
  if (path.isAbsolute(expanded)) return path.normalize(expanded);
  if (!workspaceFolder) throw new Error(`itlLens.lab.stateDirectory "${raw}" is relative and no folder is open.`);
  return path.resolve(workspaceFolder, expanded);
}

export function labStartParams(settings: LabSettings, workspaceFolder: string | undefined): LabStartParams {
  return {
    host: settings.host.trim() || undefined,
    port: settings.port,
    stateDir: resolveStateDirectory(settings.stateDirectory, workspaceFolder),
    tlsMin: settings.tlsMin.trim() || undefined,
  };
}
