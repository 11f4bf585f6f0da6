/** Runs the rules the way the server and the CLI do: load paths as one workspace, diagnose one file. */
import { diagnoseFile } from '../../../server/src/rules/runRules';
import { RuleDiagnostic } from '../../../server/src/rules/ruleDiagnostic';
import { SeverityOverrides } from '../../../server/src/rules/severity';
import { loadPaths } from '../../../server/src/workspace/loadPaths';
import { fileUri } from '../../../server/src/workspace/uris';
import { WorkspaceIndex } from '../../../server/src/workspace/workspaceIndex';
import { FixtureLayout, fixturePath, TEST_NOW } from '../../helpers/fixtures';

export interface Diagnosed {
  index: WorkspaceIndex;
  diagnostics: RuleDiagnostic[];
  codes: string[];
}

/** `layout`: which writer's fixtures (default CUCM's); the workspace paths and the file are relative to them. */
export async function diagnose(
  workspace: string[],
  file: string,
  o: { nearExpiryDays?: number; now?: Date; overrides?: SeverityOverrides; layout?: FixtureLayout } = {},
): Promise<Diagnosed> {
  const { index } = await loadPaths(workspace.map((p) => fixturePath(p, o.layout)));
  const indexed = index.get(fileUri(fixturePath(file, o.layout)));
  if (!indexed) throw new Error(`${file} is not in the workspace`);
  const diagnostics = diagnoseFile(indexed, { now: o.now ?? TEST_NOW, nearExpiryDays: o.nearExpiryDays ?? 30, index }, o.overrides);
  return { index, diagnostics, codes: diagnostics.map((d) => d.code) };
}
