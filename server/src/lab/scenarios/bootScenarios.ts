/**
 * Boot scenarios: the phone boots from the lab's TFTP server (trust store kept across boots), asks the lab's
 * TVS, then runs its CAPF operation (reference parts D–G, the install guide's "restart TFTP … reset the
 * phone"). Each checks what the phone shows and that the editor (`itl-lens compare` / `check`) reaches the same
 * verdict on the same files. docs/phone-boot.md explains each one and its sources.
 */
import * as path from 'node:path';
import { loadTvsStore } from '../tvs/tvsStore';
import { BootLab } from '../environment/labBoot';
import { scheduleGuideInstall } from '../environment/installTest';
import { BootRun } from '../phone/boot/bootAndEnroll';
import { CONFIG_IGNORED } from '../phone/boot/phoneBoot';
import { PhoneStatus } from '../phone/statusMessages';
import { STATUS_PENDING, successStatus } from '../model/operationStatus';
import { addToTvsStore } from '../tvs/tvsStore';
import { agreementChecks, editorVerdicts } from './editorVerdict';
import type { CatalogEntry } from './catalog';
import { ScenarioCheck, ScenarioContext } from './types';

const check = (name: string, passed: boolean, detail?: string): ScenarioCheck => ({ name, passed, detail });
const shows = (r: BootRun, text: string) => r.phone.timeline.some((t) => t.kind === 'status' && t.text === text);
const said = (r: BootRun, text: string) => r.phone.timeline.some((t) => t.text.includes(text));
const statuses = (r: BootRun) => r.phone.timeline.filter((t) => t.kind === 'status').map((t) => t.text).join(' → ');

async function bootLab(ctx: ScenarioContext): Promise<BootLab> {
  const b = await BootLab.open(await ctx.isolatedLab());
  await b.startAll();
  return b;
}

/** What the TVS the phone asks would vouch for: its store, or nothing when it is down. */
async function tvsKnows(b: BootLab, up: boolean): Promise<Buffer[]> {
  if (!up) return [];
  return [...(await loadTvsStore(b.tvsStoreFile)).entries.values()].map((e) => e.der);
}

/** The editor's verdicts on one boot's files, as scenario checks. */
async function agree(b: BootLab, label: string, r: BootRun, tvs: BootLab, tvsUp = true): Promise<ScenarioCheck[]> {
  const dir = path.join(b.lab.state.dir, 'editor-check', `${label.replace(/\W+/g, '-')}-${Date.now()}`);
  const verdicts = await editorVerdicts(r.boot, dir, await tvsKnows(tvs, tvsUp));
  return agreementChecks(label, verdicts);
}

const heldItl = async (b: BootLab, device: string) => (await b.trustStore(device).load()).itl;

/** First boot on the lab's cluster, then an ITL re-signed by a key neither the held ITL nor TVS knows. */
async function refusedAfterResign(ctx: ScenarioContext): Promise<{ b: BootLab; refused: BootRun }> {
  const b = await bootLab(ctx);
  await b.buildCluster([ctx.device]);
  await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
  await b.buildCluster([ctx.device], { itlRecovery: 'regenerated', tvsStore: false });
  return { b, refused: await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal }) };
}

/** The phone trusts cluster A (first boot); cluster B, with an install pending, serves its own files. */
async function migrationLabs(ctx: ScenarioContext, exportToA: boolean) {
  const a = await bootLab(ctx);
  await a.buildCluster([ctx.device]);
  const first = await a.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
  const bl = await bootLab(ctx);
  await scheduleGuideInstall(bl.lab, ctx.device);
  const served = await bl.buildCluster([ctx.device], { cluster: 'b' });
  // Bulk Certificate Export from B, import into A: A's TVS then knows B's certificates
  if (exportToA) for (const e of served.exported) await addToTvsStore(a.tvsStoreFile, [e.der], e.roles);
  return { a, bl, first, served };
}

export const BOOT_SCENARIOS: CatalogEntry[] = [
  {
    id: 'boot-first-use',
    device: 'SEP0000000000B1',
    title: 'Boot: first ITL trusted on first use, then the LSC install',
    explanation: 'A phone that holds no CTL or ITL trusts the first ITL it downloads ("ITL installed"), then takes the signed configuration whose signer is a TFTP record of that ITL, learns CAPF from its capfList and installs its LSC. The trust store keeps the ITL for the next boot.',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      const b = await bootLab(ctx);
      await scheduleGuideInstall(b.lab, ctx.device);
      const served = await b.buildCluster([ctx.device]);
      const r = await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      const kept = await b.trustStore(ctx.device).load();
      return {
        phone: r.phone,
        checks: [
          check('the phone shows "ITL installed"', shows(r, 'ITL installed'), statuses(r)),
          check('the trust store holds the ITL the TFTP server served', !!kept.itl?.equals(served.itl)),
          check('the phone took CAPF from its configuration (capfList)', kept.capf?.port === b.lab.address.port, JSON.stringify(kept.capf)),
          ...(await agree(b, 'boot', r, b)),
        ],
      };
    },
  },
  {
    id: 'boot-itl-unknown-sast',
    device: 'SEP0000000000B2',
    title: 'Boot: ITL re-signed by an unknown SAST key',
    explanation: 'The new ITL (carrying a regenerated CAPF certificate) is signed by a key that is no SAST record of the ITL the phone holds, and TVS does not know it: "Trust List update failed". The phone keeps its old ITL, so the CAPF change never reaches it and the CAPF session fails ("LSC: Connection Failed"). Sign the ITL with a key the phones still trust (utils itl reset localkey) or delete the ITL on the phones.',
    expected: { outcome: 'connection-failed', phoneStatus: PhoneStatus.CONNECTION_FAILED, serverStatus: STATUS_PENDING },
    async run(ctx) {
      const b = await bootLab(ctx);
      await b.buildCluster([ctx.device]);
      const first = await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      const before = await heldItl(b, ctx.device);
      const port = b.lab.address.port;
      await b.lab.stopServer();
      await b.lab.state.regenerateCapf();
      await b.lab.startServer({ port });
      await scheduleGuideInstall(b.lab, ctx.device);
      await b.buildCluster([ctx.device], { itlRecovery: 'regenerated', tvsStore: false });
      const r = await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      return {
        phone: r.phone,
        checks: [
          check('first boot: "ITL installed"', shows(first, 'ITL installed'), statuses(first)),
          check('second boot: "Trust List update failed"', shows(r, PhoneStatus.TRUST_LIST_UPDATE_FAILED), statuses(r)),
          check('TVS was asked and does not know the new signer', r.boot.files.some((f) => f.tvs?.answered && f.tvs.known === false)),
          check('the phone still holds the first ITL', !!before && !!(await heldItl(b, ctx.device))?.equals(before)),
          check('the new CAPF certificate matches no CAPF record the phone holds', said(r, 'matches no CAPF record')),
          ...(await agree(b, 'second boot', r, b)),
        ],
      };
    },
  },
  {
    id: 'boot-capf-regenerated-reset',
    device: 'SEP0000000000B3',
    title: 'Boot: CAPF certificate regenerated — fails until TFTP is restarted and the phone reset',
    explanation: 'After the CAPF certificate is regenerated, a phone that has not been reset still holds the old ITL: "LSC: Connection Failed". Restart the Cisco TFTP service (the ITL now carries the new CAPF certificate) and reset the phone: it accepts the new ITL ("Trust List updated", same signer) and the install works again.',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      const b = await bootLab(ctx);
      await scheduleGuideInstall(b.lab, ctx.device);
      await b.buildCluster([ctx.device]);
      const first = await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      const port = b.lab.address.port;
      await b.lab.stopServer();
      await b.lab.state.regenerateCapf();
      await b.lab.startServer({ port });
      await scheduleGuideInstall(b.lab, ctx.device);
      const notReset = await b.withoutReset(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      await b.buildCluster([ctx.device]);
      await b.restartTftp();
      const r = await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      return {
        phone: r.phone,
        checks: [
          check('first boot installs the LSC', first.phone.outcome === 'installed', first.phone.status),
          check('before the reset: "LSC: Connection Failed"', notReset.phone.status === PhoneStatus.CONNECTION_FAILED, `${notReset.phone.status}: ${notReset.phone.problem ?? ''}`),
          check('after TFTP restart and reset: "Trust List updated"', shows(r, 'Trust List updated'), statuses(r)),
          ...(await agree(b, 'after the reset', r, b)),
        ],
      };
    },
  },
  {
    id: 'boot-migration-no-export',
    device: 'SEP0000000000B4',
    title: 'Boot: moved to another cluster without Bulk Certificate Export',
    explanation: 'The phone holds cluster A\'s ITL and boots from cluster B\'s TFTP server. B\'s ITL is signed by B\'s ITLRecovery, which A\'s ITL does not hold; A\'s TVS does not know it: "Trust List update failed", and B\'s configuration is ignored. Export the certificates from B and import them into A (Bulk Certificate Management), or delete the ITL on the phones, before moving them.',
    expected: { outcome: 'itl-rejected', phoneStatus: PhoneStatus.TRUST_LIST_UPDATE_FAILED, serverStatus: STATUS_PENDING },
    async run(ctx) {
      const { a, bl, first } = await migrationLabs(ctx, false);
      const r = await a.boot(ctx.device, { cluster: bl, keys: ctx.keys, signal: ctx.signal });
      return {
        phone: r.phone,
        checks: [
          check('first boot on cluster A: "ITL installed"', shows(first, 'ITL installed'), statuses(first)),
          check("A's TVS was asked and does not know B's signer", r.boot.files.some((f) => f.tvs?.answered && f.tvs.known === false)),
          check("B's configuration is ignored", shows(r, CONFIG_IGNORED), statuses(r)),
          check('the phone never contacted B\'s CAPF', !r.enrolled),
          ...(await agree(a, 'on cluster B', r, a)),
        ],
      };
    },
  },
  {
    id: 'boot-migration-bulk-export',
    device: 'SEP0000000000B5',
    title: "Boot: moved to another cluster after importing its certificates into the old TVS",
    explanation: "As the migration guides do: cluster B's certificates (ITLRecovery, CallManager, CAPF) exported and imported into cluster A, so A's TVS knows them. The phone asks A's TVS about B's ITL signer, TVS vouches for it (\"Trust List updated\"), B's configuration is signed by a TFTP record of the new ITL, and the LSC install at B's CAPF works.",
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      const { a, bl, served: b } = await migrationLabs(ctx, true);
      const r = await a.boot(ctx.device, { cluster: bl, keys: ctx.keys, signal: ctx.signal });
      return {
        phone: r.phone,
        checks: [
          check('the ITL was accepted through TVS', r.boot.files.some((f) => f.verdict?.verdict === 'accepted' && f.verdict.basis === 'tvs')),
          check('the phone shows "Trust List updated"', shows(r, 'Trust List updated'), statuses(r)),
          check("the phone now holds B's ITL", !!(await heldItl(a, ctx.device))?.equals(b.itl)),
          ...(await agree(a, 'on cluster B', r, a)),
        ],
      };
    },
  },
  {
    id: 'boot-migration-tvs-stopped',
    device: 'SEP0000000000B6',
    title: "Boot: moved to another cluster, certificates imported, but the old TVS unreachable",
    explanation: "Cluster A's TVS knows B's certificates, but it does not answer (TVS service stopped, TCP 2445 blocked): the phone cannot verify B's ITL and shows \"Trust List update failed\"; B's configuration is ignored. Start the Cisco Trust Verification Service on A (or open TCP 2445) and reset the phone.",
    expected: { outcome: 'itl-rejected', phoneStatus: PhoneStatus.TRUST_LIST_UPDATE_FAILED, serverStatus: STATUS_PENDING },
    async run(ctx) {
      const { a, bl, served: b } = await migrationLabs(ctx, true);
      await a.stopTvs();
      const r = await a.boot(ctx.device, { cluster: bl, keys: ctx.keys, signal: ctx.signal });
      return {
        phone: r.phone,
        checks: [
          check('the TVS did not answer', r.boot.files.some((f) => f.tvs && !f.tvs.answered), r.boot.files.map((f) => f.tvs?.problem).filter(Boolean).join('; ')),
          check("B's configuration is ignored", shows(r, CONFIG_IGNORED), statuses(r)),
          ...(await agree(a, 'TVS down', r, a, false)),
        ],
      };
    },
  },
  {
    id: 'boot-config-foreign-signer',
    device: 'SEP0000000000B7',
    title: 'Boot: configuration signed by a certificate not in the ITL',
    explanation: 'SEP<MAC>.cnf.xml.sgn is signed by a certificate that is no TFTP record of the ITL the phone holds (console: "sgn verify file failed … errcode 19 (signer not in CTL)"): the phone ignores it and keeps its old configuration — here the old CAPF server, while the new file points elsewhere. Restart the Cisco TFTP service so the files are signed with the certificate the ITL carries, then reset the phone.',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      const b = await bootLab(ctx);
      await scheduleGuideInstall(b.lab, ctx.device);
      await b.buildCluster([ctx.device]);
      const first = await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      await scheduleGuideInstall(b.lab, ctx.device);
      await b.buildCluster([ctx.device], { configSigner: 'foreign', configCapf: { host: '127.0.0.1', port: 9 } });
      const r = await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      return {
        phone: r.phone,
        checks: [
          check('first boot installs the LSC', first.phone.outcome === 'installed', first.phone.status),
          check('the configuration is ignored', r.boot.config === 'ignored' && shows(r, CONFIG_IGNORED), statuses(r)),
          check('the phone kept its old CAPF settings', r.boot.capf?.port === b.lab.address.port && r.boot.capf?.port !== 9, JSON.stringify(r.boot.capf)),
          ...(await agree(b, 'second boot', r, b)),
        ],
      };
    },
  },
  {
    id: 'boot-recovery-itl-reset',
    device: 'SEP0000000000B8',
    title: 'Boot: recovery with utils itl reset (an ITL signed by a key the phones still trust)',
    explanation: 'After an ITL signed by an unknown key was refused, `utils itl reset localkey` serves the new records signed by the CallManager key, a SAST record of the ITL the phones hold: "Trust List updated". The next, normal ITL — signed by the new ITLRecovery, which the reset ITL carries — is accepted too, and the install works.',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      const { b, refused } = await refusedAfterResign(ctx);
      await b.buildCluster([ctx.device], { itlRecovery: 'regenerated', itlSigner: 'callmanager', tvsStore: false });
      const reset = await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      await scheduleGuideInstall(b.lab, ctx.device);
      await b.buildCluster([ctx.device], { itlRecovery: 'regenerated', tvsStore: false });
      const r = await b.boot(ctx.device, { keys: ctx.keys, signal: ctx.signal });
      return {
        phone: r.phone,
        checks: [
          check('the re-signed ITL is refused first', shows(refused, PhoneStatus.TRUST_LIST_UPDATE_FAILED), statuses(refused)),
          check('the reset ITL is accepted', shows(reset, 'Trust List updated'), statuses(reset)),
          check('the normal ITL after the reset is accepted', shows(r, 'Trust List updated'), statuses(r)),
          ...(await agree(b, 'refused', refused, b)),
          ...(await agree(b, 'itl reset', reset, b)),
          ...(await agree(b, 'after the reset', r, b)),
        ],
      };
    },
  },
  {
    id: 'boot-recovery-delete-itl',
    device: 'SEP0000000000B9',
    title: 'Boot: recovery by deleting the ITL on the phone',
    explanation: 'After an ITL signed by an unknown key was refused, delete the ITL on the phone (Settings > Security > Trust List, or a Security Settings reset): the phone trusts the next ITL on first use ("ITL installed") and the install works.',
    expected: { outcome: 'installed', phoneStatus: PhoneStatus.INSTALLED, serverStatus: successStatus('Upgrade') },
    async run(ctx) {
      const { b, refused } = await refusedAfterResign(ctx);
      await scheduleGuideInstall(b.lab, ctx.device);
      const served = await b.buildCluster([ctx.device], { itlRecovery: 'regenerated', tvsStore: false });
      const r = await b.boot(ctx.device, { deleteItl: true, keys: ctx.keys, signal: ctx.signal });
      return {
        phone: r.phone,
        checks: [
          check('the re-signed ITL is refused first', shows(refused, PhoneStatus.TRUST_LIST_UPDATE_FAILED), statuses(refused)),
          check('after deleting the ITL: "ITL installed"', shows(r, 'ITL installed'), statuses(r)),
          check('the phone holds the new ITL', !!(await heldItl(b, ctx.device))?.equals(served.itl)),
          ...(await agree(b, 'refused', refused, b)),
        ],
      };
    },
  },
];
