import * as assert from 'node:assert/strict';
import { applySeverityOverrides } from '../../../server/src/rules/severity';
import { RuleDiagnostic } from '../../../server/src/rules/ruleDiagnostic';
import { parseSettings, DEFAULT_SETTINGS } from '../../../server/src/lsp/settings';
import { parseStartupOptions } from '../../../server/src/lsp/startupOptions';
import { diagnose } from './helpers';

describe('severity overrides and settings', () => {
  const d = (code: RuleDiagnostic['code'], severity: RuleDiagnostic['severity']): RuleDiagnostic => ({ code, severity, message: code, target: { in: 'certificate', entry: 0 } });

  it('changes severities per code and drops codes set to off', () => {
    const out = applySeverityOverrides([d('cert-expired', 'error'), d('cert-weak-key', 'warning'), d('capf-missing', 'warning')], {
      'cert-expired': 'information',
      'cert-weak-key': 'off',
      'capf-missing': 'hint',
    });
    assert.deepEqual(out.map((x) => [x.code, x.severity]), [['cert-expired', 'info'], ['capf-missing', 'hint']]);
  });

  it('applies overrides in the rule run', async () => {
    const r = await diagnose(['tampered', 'cluster'], 'tampered/ITLFile.tlv', { overrides: { 'signature-invalid': 'warning' } });
    assert.deepEqual(r.diagnostics.map((x) => [x.code, x.severity]), [['signature-invalid', 'warning']]);
  });

  it('reads the itlLens section as VS Code sends it, and ignores bad values', () => {
    assert.deepEqual(parseSettings({ capf: { nearExpiryDays: 45 }, diagnostics: { severity: { 'capf-missing': 'error', bogus: 'loud' } }, lab: { port: 1 } }), {
      nearExpiryDays: 45,
      severity: { 'capf-missing': 'error' },
      deployed: [],
      tvsKnows: [],
    });
    assert.deepEqual(parseSettings({ 'capf.nearExpiryDays': 7 }), { nearExpiryDays: 7, severity: {}, deployed: [], tvsKnows: [] });
    assert.deepEqual(parseSettings({ trust: { deployed: 'deployed/ITLFile.tlv' } }).deployed, ['deployed/ITLFile.tlv']);
    assert.deepEqual(parseSettings({ 'trust.deployed': ['a/*.tlv', 3, ' '] }).deployed, ['a/*.tlv']);
    assert.deepEqual(parseSettings({ trust: { tvsKnows: 'export/*.pem' } }).tvsKnows, ['export/*.pem']);
    assert.deepEqual(parseSettings({ capf: { nearExpiryDays: -3 } }), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings('nonsense'), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings(null), DEFAULT_SETTINGS);
  });

  it('takes the clock from initializationOptions, else from ITL_LENS_NOW', () => {
    assert.equal(parseStartupOptions({ now: '2030-06-15T12:00:00Z' }, {}).fixedNow?.toISOString(), '2030-06-15T12:00:00.000Z');
    assert.equal(parseStartupOptions(undefined, { ITL_LENS_NOW: '2031-01-01T00:00:00Z' }).fixedNow?.toISOString(), '2031-01-01T00:00:00.000Z');
    assert.equal(parseStartupOptions({ now: 'not a date' }, {}).fixedNow, undefined);
    assert.equal(parseStartupOptions(null, {}).fixedNow, undefined);
    assert.deepEqual(parseStartupOptions({ settings: { capf: { nearExpiryDays: 3 } } }, {}).settings, { nearExpiryDays: 3, severity: {}, deployed: [], tvsKnows: [] });
  });
});
