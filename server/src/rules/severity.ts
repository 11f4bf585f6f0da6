/** Per-code severity overrides (setting itlLens.diagnostics.severity): "error" | "warning" | "information" | "hint" | "off". */
import { RuleSeverity } from './codes';
import { RuleDiagnostic } from './ruleDiagnostic';

export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'off';

export type SeverityOverrides = Readonly<Record<string, SeveritySetting>>;

const TO_RULE: Record<Exclude<SeveritySetting, 'off'>, RuleSeverity> = { error: 'error', warning: 'warning', information: 'info', hint: 'hint' };

export function isSeveritySetting(v: unknown): v is SeveritySetting {
  return v === 'error' || v === 'warning' || v === 'information' || v === 'hint' || v === 'off';
}

/** Applies the overrides: changes severities and drops the codes set to "off". */
export function applySeverityOverrides<D extends Pick<RuleDiagnostic, 'code' | 'severity'>>(diagnostics: D[], overrides: SeverityOverrides): D[] {
  if (Object.keys(overrides).length === 0) return diagnostics;
  const out: D[] = [];
  for (const d of diagnostics) {
    const o = overrides[d.code];
    if (o === 'off') continue;
    out.push(o ? { ...d, severity: TO_RULE[o] } : d);
  }
  return out;
}
