/** What the rules may look at besides the file itself: the clock, the settings, and the workspace index. */
import { WorkspaceIndex } from '../workspace/workspaceIndex';

export interface RuleContext {
  now: Date;
  /** warn this many days before a certificate expires (setting itlLens.capf.nearExpiryDays) */
  nearExpiryDays: number;
  index: WorkspaceIndex;
}

export const DEFAULT_NEAR_EXPIRY_DAYS = 30;
export const DAY_MS = 86_400_000;
