/**
 * The LSC troubleshooting scenarios: the install guide's example, every cause its Troubleshoot section and
 * reference part C name, and the other certificate operations. Each states the outcome it expects.
 */
import * as fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { buildLabItl } from '../environment/labItl';
import { PhoneResult } from '../phone/phoneEmulator';
import { PhoneStatus } from '../phone/statusMessages';
import { STATUS_NONE, STATUS_PENDING, failureStatus, successStatus } from '../model/operationStatus';
import { lscProfileChecks } from './lscChecks';
import { BOOT_SCENARIOS } from './bootScenarios';
import { ScenarioCheck, ScenarioContext, ScenarioDefinition } from './types';

export interface CatalogEntry extends ScenarioDefinition {
  device: string;
}

const check = (name: string, passed: boolean, detail?: string): ScenarioCheck => ({ name, passed, detail });
const detailSays = (p: PhoneResult, text: string) => p.timeline.some((t) => t.kind === 'detail' && t.text.includes(text));

/** Gives the scenario's phone an LSC first (install by null string), as a prerequisite. */
async function installFirst(ctx: ScenarioContext): Promise<{ checks: ScenarioCheck[]; der?: Buffer; serialNumber?: string }> {
  await ctx.lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Null String', keyOrder: 'RSA Only', rsaKeySize: 2048, operationCompletesBy: ctx.deadline() });
  const r = await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } });
  return { checks: [check('prerequisite: the phone got an LSC by null string', r.outcome === 'installed', r.problem)], der: r.lsc?.der, serialNumber: r.lsc?.summary.serialNumber };
}

export const SCENARIOS: CatalogEntry[] = [
  {
    id: 'install-rsa-null-string',
    device: 'SEP0000000000A1',
    title: 'Install an RSA 2048 LSC by null string (the install guide\'s example)',
    explanation: 'Certificate Operation Install/Upgrade, By Null String, RSA 2048, Operation Completes By an hour ahead. The phone shows Pending, generates its key, and the LSC becomes Installed.',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Null String', keyOrder: 'RSA Only', rsaKeySize: 2048, operationCompletesBy: ctx.deadline() });
      const phone = await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } });
      const registered = ctx.lab.state.currentLsc(ctx.device);
      const checks = phone.lsc ? lscProfileChecks(phone.lsc.der, ctx.lab.state.capf, ctx.device, 'RSA 2048') : [];
      checks.push(check("the server's register holds the LSC the device table names, as the phone installed it", !!registered && !!phone.lsc && registered.equals(phone.lsc.der)));
      return { phone, checks };
    },
  },
  {
    id: 'install-ec-p256',
    device: 'SEP0000000000A2',
    title: 'Install an EC P-256 LSC (Key Order "EC Only")',
    explanation: 'KEYGEN_REQ carries KEY_TYPE 1 and CURVE 0 (secp256r1) instead of KEY_SIZE. Needs a phone with EC support and an ITL with signer version 1.1.',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Null String', keyOrder: 'EC Only', ecKeySize: 256, operationCompletesBy: ctx.deadline() });
      const phone = await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } });
      return { phone, checks: phone.lsc ? lscProfileChecks(phone.lsc.der, ctx.lab.state.capf, ctx.device, 'EC P-256') : [] };
    },
  },
  {
    id: 'auth-string-right',
    device: 'SEP0000000000A3',
    title: 'By Authentication String, the right string keyed in',
    explanation: 'The phone sends the digits the user keyed in as PASSWORD; the server compares them with the device\'s Authentication String.',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Authentication String', authenticationString: '123456', operationCompletesBy: ctx.deadline() });
      return { phone: await ctx.lab.runPhone(ctx.device, { authString: '123456', keys: ctx.keys, extra: { signal: ctx.signal } }) };
    },
  },
  {
    id: 'auth-string-wrong',
    device: 'SEP0000000000A4',
    title: 'By Authentication String, a wrong string keyed in',
    explanation: 'The server ends the session with reason 7 and records "Invalid Authentication String". After 10 wrong tries the device is locked for at least 10 minutes. Check the string on the Phone Configuration page, or regenerate it.',
    expected: { outcome: 'failed', phoneStatus: PhoneStatus.FAILED, serverStatus: failureStatus('Upgrade', 'Invalid Authentication String') },
    async run(ctx) {
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Authentication String', authenticationString: '123456', operationCompletesBy: ctx.deadline() });
      const phone = await ctx.lab.runPhone(ctx.device, { authString: '654321', keys: ctx.keys, extra: { signal: ctx.signal } });
      return { phone, checks: [check('the server ended the session with reason 7', phone.endReason === 7, `reason ${phone.endReason}`)] };
    },
  },
  {
    id: 'existing-lsc',
    device: 'SEP0000000000A5',
    title: 'By Existing Certificate (precedence to LSC): renewing an LSC',
    explanation: 'The phone proves itself with its current LSC: CERTIFICATE plus SIGNED_DATA (SHA-1) and SHA2_SIGNED_DATA (SHA-512) over device name + NUL + certificate. The LSC must chain to the current CAPF certificate.',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      const first = await installFirst(ctx);
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Existing Certificate (precedence to LSC)', operationCompletesBy: ctx.deadline() });
      const phone = await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } });
      return {
        phone,
        checks: [
          ...first.checks,
          check('the phone authenticated with its LSC', detailSays(phone, 'authenticating with its LSC')),
          check('the renewed LSC has a new serial', !!phone.lsc && !!first.der && !phone.lsc.der.equals(first.der)),
        ],
      };
    },
  },
  {
    id: 'existing-mic',
    device: 'SEP0000000000A6',
    title: 'By Existing Certificate (precedence to MIC)',
    explanation: 'The phone proves itself with its factory MIC, which must chain to a manufacturing CA the CAPF trusts (here the lab manufacturing CA; on CUCM the Cisco Manufacturing CA certificates in CAPF-trust).',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Existing Certificate (precedence to MIC)', operationCompletesBy: ctx.deadline() });
      const phone = await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } });
      return { phone, checks: [check('the phone authenticated with its MIC', detailSays(phone, 'authenticating with its MIC'))] };
    },
  },
  {
    id: 'itl-without-capf',
    device: 'SEP0000000000A7',
    title: 'ITL without a CAPF record',
    explanation: 'The phone shows "No valid CAPF server" and never contacts CAPF. Activate the Cisco Certificate Authority Proxy Function service, restart TFTP on all TFTP servers, check `show itl`, reset the phone.',
    expected: { outcome: 'no-capf', phoneStatus: PhoneStatus.NO_VALID_CAPF_SERVER, serverStatus: STATUS_PENDING },
    async run(ctx) {
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', operationCompletesBy: ctx.deadline() });
      const itl = await buildLabItl(ctx.lab.state, { withCapfRecord: false, write: false });
      return { phone: await ctx.lab.runPhone(ctx.device, { itl, keys: ctx.keys, extra: { signal: ctx.signal } }) };
    },
  },
  {
    id: 'capf-regenerated',
    device: 'SEP0000000000A8',
    title: 'CAPF certificate regenerated after the ITL was built',
    explanation: 'The certificate the server presents no longer matches the ITL\'s CAPF record, so the phone refuses the TLS session: "LSC: Connection Failed". Restart TFTP clusterwide so that the ITL carries the new CAPF certificate, then reset the phone.',
    expected: { outcome: 'connection-failed', phoneStatus: PhoneStatus.CONNECTION_FAILED, serverStatus: STATUS_PENDING },
    async run(ctx) {
      const lab = await ctx.isolatedLab();
      const staleItl = await lab.itl();
      await lab.state.regenerateCapf();
      await lab.startServer();
      await lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', operationCompletesBy: ctx.deadline() });
      const phone = await lab.runPhone(ctx.device, { itl: staleItl, keys: ctx.keys, extra: { signal: ctx.signal } });
      return { phone, checks: [check('the phone named the certificate mismatch', detailSays(phone, 'matches no CAPF record'))] };
    },
  },
  {
    id: 'capf-stopped',
    device: 'SEP0000000000A9',
    title: 'CAPF service stopped',
    explanation: 'Nothing answers on the CAPF port; the phone retries (3 times, 30 s apart, on a real phone) and shows "LSC: Connection Failed". Start the CAPF service; check that port 3804 is reachable from the phone.',
    expected: { outcome: 'connection-failed', phoneStatus: PhoneStatus.CONNECTION_FAILED, serverStatus: STATUS_PENDING },
    async run(ctx) {
      const lab = await ctx.isolatedLab();
      await lab.startServer();
      await lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', operationCompletesBy: ctx.deadline() });
      await lab.stopServer();
      const phone = await lab.runPhone(ctx.device, { keys: ctx.keys, retries: 3, retryDelayMs: 0, extra: { signal: ctx.signal } });
      return { phone, checks: [check('the phone tried 4 times (1 + 3 retries)', phone.attempts === 4, `${phone.attempts} attempts`)] };
    },
  },
  {
    id: 'deadline-passed',
    device: 'SEP0000000000AA',
    title: 'Operation Completes By in the past',
    explanation: 'The guide\'s "LSC: Failed" case: the status is "Upgrade Failed: User Initiated Request Late/Timedout". Enter a date and time at least an hour ahead and retry.',
    expected: { outcome: 'failed', phoneStatus: PhoneStatus.FAILED, serverStatus: failureStatus('Upgrade', 'User Initiated Request Late/Timedout') },
    async run(ctx) {
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Install/Upgrade', operationCompletesBy: ctx.deadline(-1) });
      return { phone: await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } }) };
    },
  },
  {
    id: 'unknown-device',
    device: 'SEP0000000000AB',
    title: 'Device not known to CAPF',
    explanation: 'The server ends the session with reason 9 (unknown device). Check the device name (SEP + MAC) and that the phone is configured in the cluster.',
    expected: { outcome: 'unknown-device', phoneStatus: PhoneStatus.FAILED, serverStatus: undefined },
    async run(ctx) {
      const phone = await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } });
      return { phone, checks: [check('the server ended the session with reason 9', phone.endReason === 9, `reason ${phone.endReason}`)] };
    },
  },
  {
    id: 'no-pending-operation',
    device: 'SEP0000000000AC',
    title: 'No pending operation',
    explanation: 'Certificate Operation "No Pending Operation": the server ends the session with reason 0 and changes nothing.',
    expected: { outcome: 'no-operation', phoneStatus: PhoneStatus.NOT_INSTALLED, serverStatus: STATUS_NONE },
    async run(ctx) {
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'No Pending Operation' });
      const phone = await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } });
      return { phone, checks: [check('the server ended the session with reason 0', phone.endReason === 0, `reason ${phone.endReason}`)] };
    },
  },
  {
    id: 'troubleshoot-fetch',
    device: 'SEP0000000000AD',
    title: 'Troubleshoot: fetch the phone\'s LSC',
    explanation: 'FETCH_CERT_REQ → FETCH_CERT_RESP with the LSC → END_SESSION 0. The server keeps a copy of what the phone holds (fetched/<device>.pem).',
    expected: { outcome: 'fetched', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Troubleshoot') },
    async run(ctx) {
      const first = await installFirst(ctx);
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Troubleshoot', operationCompletesBy: ctx.deadline() });
      const phone = await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } });
      const file = ctx.lab.state.fetchedCertificatePath(ctx.device);
      const fetched = fs.existsSync(file) ? new X509Certificate(fs.readFileSync(file)).raw : undefined;
      return { phone, checks: [...first.checks, check('the server saved the phone\'s LSC', !!fetched && !!first.der && fetched.equals(first.der), file)] };
    },
  },
  {
    id: 'delete',
    device: 'SEP0000000000AE',
    title: 'Delete the phone\'s LSC',
    explanation: 'DELETE_CERT_REQ → DELETE_CERT_RESP → END_SESSION 1. The phone forgets its LSC and the server its record of it.',
    expected: { outcome: 'deleted', phoneStatus: PhoneStatus.NOT_INSTALLED, serverStatus: successStatus('Delete') },
    async run(ctx) {
      const first = await installFirst(ctx);
      await ctx.lab.schedule(ctx.device, { certificateOperation: 'Delete', operationCompletesBy: ctx.deadline() });
      const phone = await ctx.lab.runPhone(ctx.device, { keys: ctx.keys, extra: { signal: ctx.signal } });
      const known = ctx.lab.state.deviceState(ctx.device);
      return {
        phone,
        checks: [
          ...first.checks,
          check('the phone no longer holds an LSC', !fs.existsSync(`${ctx.lab.state.phoneDir(ctx.device)}/lsc.pem`)),
          check("the server's state no longer records an LSC for the phone", !known?.lsc),
          check('the register keeps the deleted LSC as history', !!first.serialNumber && !!known?.lscs.some((l) => l.serialNumber === first.serialNumber)),
        ],
      };
    },
  },
  // the phone boots from TFTP first (trust store, TVS, signed configuration): bootScenarios.ts
  ...BOOT_SCENARIOS,
];
