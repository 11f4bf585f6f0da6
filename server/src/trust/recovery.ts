/**
 * Which recovery fits a verdict, in Cisco's words (docs/trust-model.md#recovery): utils itl reset
 * localkey|remotekey [F Cisco doc 117598], Bulk Certificate Export before a migration [F Cisco community doc
 * 3108501], deleting the ITL on the phone [F 117598, SBD], rebuilding the file with the TFTP service.
 */
import { Download, HeldTrust, PhoneVerdict, RecoveryStep, Role } from './model';
import { sameCertificate } from './signerMatch';

const DELETE_ITL: RecoveryStep = {
  action: 'Delete the ITL on each phone: Settings > Security > Trust List > ITL > Erase (or a Security Settings / factory reset); the phone then trusts the next ITL on first use.',
  when: 'no key the phones trust can sign the ITL any more and no TVS they can reach knows the new signer: the last resort, one phone at a time.',
};

const REBUILD: RecoveryStep = {
  action: 'Copy the file again from the TFTP server in binary mode; if the server copy is bad too, restart the Cisco TFTP service on the TFTP servers to rebuild it.',
  when: 'the file was changed or damaged after it was signed.',
};

/** Held SAST certificates that the new trust list still carries: the cluster still has a key the phones trust. */
function stillTrustedSast(held: HeldTrust, d: Download) {
  const heldSast = [...(held.itl?.list.records ?? []), ...(held.ctl?.list.records ?? [])].filter((r) => r.role === Role.SAST);
  const fresh = d.list?.records ?? [];
  return heldSast.filter((h) => fresh.some((n) => n.role === Role.SAST && sameCertificate(h, n)));
}

function trustListRecovery(held: HeldTrust, d: Download): RecoveryStep[] {
  const steps: RecoveryStep[] = [];
  const kept = stillTrustedSast(held, d);
  if (d.kind === 'CTL') {
    steps.push({
      action: 'Run utils ctl reset localkey on the publisher, reset the phones so they take the CTL signed with the key they still trust, then update the CTL again (utils ctl update CTLFile).',
      when: 'the cluster is in mixed mode and the CTL is now signed by a key the phones do not hold.',
    });
  } else if (kept.length) {
    const cn = kept[0].subject?.match(/CN=([^;,]*)/)?.[1] ?? kept[0].subject ?? 'SAST';
    steps.push({
      action: 'Run utils itl reset localkey on the publisher (CLI), reset the phones, and once they show "Trust List updated" restart the Cisco TFTP service so the normal ITL follows.',
      when: `the new ITL still carries a SAST certificate the phones hold (${cn}): the ITL reset signs with the ITLRecovery key, which the phones still trust [I: this is the case the reset was made for: "phones no longer trust the ITL file signer"].`,
    });
  } else {
    steps.push({
      action: 'Run utils itl reset remotekey with the ITLRecovery key of the node or backup that signed the phones\' current ITL, reset the phones, then restart the Cisco TFTP service.',
      when: 'the ITLRecovery (or CallManager) key the phones trust is gone from this cluster (regenerated, rebuilt or a new cluster) but still exists in a backup or on the old cluster [I].',
    });
  }
  if (held.itl?.list.records.some((r) => r.role === Role.TVS)) {
    steps.push({
      action: "Before moving phones to a new cluster, use Bulk Certificate Export (Cisco Unified OS Administration > Security > Bulk Certificate Management): export the new cluster's TFTP and ITLRecovery certificates, consolidate and import them into the old cluster, so the old cluster's TVS vouches for the new ITL; keep the old TVS reachable until the phones have moved.",
      when: 'migrating between clusters: the phones ask the TVS of their current ITL about the new signer.',
    });
  }
  steps.push({
    action: 'Before a migration or certificate regeneration, set the enterprise parameter Prepare Cluster for Rollback to pre-8.0 to True on the old cluster and reset the phones: they get an ITL with empty entries and accept the next one.',
    when: 'planned ahead: the old cluster is still up.',
  });
  steps.push(DELETE_ITL);
  return steps;
}

export function recoveryFor(held: HeldTrust, d: Download, v: PhoneVerdict): RecoveryStep[] {
  if (v.verdict === 'accepted') return [];
  switch (v.rejection) {
    case 'malformed':
    case 'unsigned':
    case 'signature-invalid':
      return [REBUILD];
    case 'unsupported-hash':
      return [
        {
          action: 'Set the service parameter TFTP File Signature Algorithm (Cisco TFTP) to SHA-1 or SHA-512 and restart the Cisco TFTP service.',
          when: `the ${d.kind === 'signed-file' ? 'file' : d.kind} is signed with a digest phones do not check.`,
        },
      ];
  }
  if (d.kind === 'signed-file') {
    return [
      {
        action: 'Restart the Cisco TFTP service on all TFTP servers so that the ITL carries the CallManager (TFTP) certificate that signs the configuration files, then reset the phones.',
        when: 'the configuration file is signed by a TFTP certificate that is not in the phone\'s ITL/CTL (regenerated CallManager certificate, another TFTP server).',
      },
      {
        action: 'If the phones refuse the new ITL as well ("Trust List update failed"), recover it first: utils itl reset localkey (or remotekey) on the publisher, or delete the ITL on the phones.',
        when: 'the phones cannot take the ITL that carries the new TFTP certificate.',
      },
    ];
  }
  return trustListRecovery(held, d);
}
