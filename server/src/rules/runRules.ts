/** All rules for one workspace file, in a stable order (structure, signature, CAPF; or the certificate rules). */
import { IndexedFile, IndexedTrustList } from '../workspace/indexedFile';
import { capfRules } from './capfRules';
import { certificateRules } from './certificateRules';
import { RuleContext } from './ruleContext';
import { RuleDiagnostic } from './ruleDiagnostic';
import { applySeverityOverrides, SeverityOverrides } from './severity';
import { signatureRules } from './signatureRules';
import { decoderProblems, ecNeedsSignerVersion11, sizeLimits, tooManySast } from './trustListStructure';

export function diagnoseFile(file: IndexedFile, ctx: RuleContext, overrides: SeverityOverrides = {}): RuleDiagnostic[] {
  const found = file.kind === 'trust-list' ? trustListRules(file, ctx) : certificateRules(file, ctx);
  return applySeverityOverrides(found, overrides);
}

function trustListRules(file: IndexedTrustList, ctx: RuleContext): RuleDiagnostic[] {
  const structure = decoderProblems(file);
  if (file.list.size === 0) return structure;
  // Records may be lost in a file with structural errors: a missing CAPF record would then be a guess.
  const damaged = file.list.problems.some((p) => p.severity === 'error');
  const capf = capfRules(file, ctx).filter((d) => !(damaged && d.code === 'capf-missing'));
  return [...structure, ...signatureRules(file), ...sizeLimits(file), ...tooManySast(file), ...ecNeedsSignerVersion11(file), ...capf];
}
