/** The server's settings (the client's `itlLens` configuration section), validated. */
import { DEFAULT_NEAR_EXPIRY_DAYS } from '../rules/ruleContext';
import { deployedEntries } from '../trust/deployedLists';
import { isSeveritySetting, SeverityOverrides, SeveritySetting } from '../rules/severity';

export interface ServerSettings {
  /** itlLens.capf.nearExpiryDays */
  nearExpiryDays: number;
  /** itlLens.diagnostics.severity */
  severity: SeverityOverrides;
  /** itlLens.trust.deployed: paths or globs of the trust lists phones hold now */
  deployed: string[];
  /** itlLens.trust.tvsKnows: paths or globs of the certificate files the cluster's TVS holds (a Bulk Certificate Export) */
  tvsKnows: string[];
}

export const DEFAULT_SETTINGS: ServerSettings = { nearExpiryDays: DEFAULT_NEAR_EXPIRY_DAYS, severity: {}, deployed: [], tvsKnows: [] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the `itlLens` section as VS Code returns it (`{ capf: { nearExpiryDays }, diagnostics: { severity } }`);
 * dotted keys (`"capf.nearExpiryDays"`) are accepted too. Invalid values fall back to the defaults.
 */
export function parseSettings(raw: unknown): ServerSettings {
  if (!isObject(raw)) return DEFAULT_SETTINGS;
  const capf = isObject(raw.capf) ? raw.capf : {};
  const diagnostics = isObject(raw.diagnostics) ? raw.diagnostics : {};
  const days = capf.nearExpiryDays ?? raw['capf.nearExpiryDays'];
  const severity = diagnostics.severity ?? raw['diagnostics.severity'];
  const trust = isObject(raw.trust) ? raw.trust : {};
  const overrides: Record<string, SeveritySetting> = {};
  if (isObject(severity)) for (const [code, level] of Object.entries(severity)) if (isSeveritySetting(level)) overrides[code] = level;
  return {
    nearExpiryDays: typeof days === 'number' && Number.isFinite(days) && days >= 0 ? Math.floor(days) : DEFAULT_NEAR_EXPIRY_DAYS,
    severity: overrides,
    deployed: deployedEntries(trust.deployed ?? raw['trust.deployed']),
    tvsKnows: deployedEntries(trust.tvsKnows ?? raw['trust.tvsKnows']),
  };
}
