/**
 * The lab folder's layout: one place for every file name, shared by the servers, the phone, the CLI and the
 * language server (which needs the names, not the storage code).
 *
 *   capf-devices.json                                      the device table: written by a person, `capf device` or the editor, never by a server
 *   capf-state.jsonl                                       what the CAPF server learned about each device (status, completed operation, issued LSCs, lockout): only the server appends to it
 *   capf-server.lock, capf-server.json                     the running CAPF server's lock and who it is
 *   operations.log                                         the server's operation log, one JSON object per line
 *   capf/capf.pem, capf/capf.key.pem                       CAPF certificate and key
 *   manufacturing-ca/ca.pem, manufacturing-ca/ca.key.pem   the lab manufacturing CA that signs MICs
 *   fetched/<device>.pem                                   certificates fetched by Troubleshoot
 *   phones/<device>/                                       emulated phones' MIC, LSC and keys
 *   phones/<device>/trust/                                 what a booting phone installed: itl.tlv, ctl.tlv, capf.json
 *   cluster/keys/, tftp/ITLFile.tlv                        the lab cluster's keys and the ITL it built
 *   tftp/SEP<MAC>.cnf.xml.sgn, tftp/CTLFile.tlv           the signed configurations (and CTL) the lab TFTP serves
 *   tvs/tvs.pem, tvs/tvs.key.pem, tvs/tvs-store.json       the lab TVS certificate, key and store
 *
 * A device name becomes part of a path only after deviceNameProblem accepts it (SEP + 12 hex digits).
 */
import * as path from 'node:path';
import { deviceNameProblem } from './deviceTable';

/** The default lab folder, relative to the working directory or the first workspace folder. */
export const DEFAULT_LAB_DIR = '.itl-lens-lab';

/**
 * The table's file name in a lab folder. Distinctive on purpose: the extension contributes the schema
 * through `jsonValidation` with a fileMatch on this name, wherever the lab folder is.
 */
export const DEVICE_TABLE_FILE = 'capf-devices.json';
/** The folder of the lab folder that its TFTP server serves; the workspace indexes it (workspace/scanFolders.ts). */
export const LAB_TFTP_DIR = 'tftp';
export const STATE_LOG_FILE = 'capf-state.jsonl';

export interface LabPaths {
  dir: string;
  capfCert: string;
  capfKey: string;
  manufacturingCaCert: string;
  manufacturingCaKey: string;
  devices: string;
  stateLog: string;
  lock: string;
  serverInfo: string;
  log: string;
  fetchedDir: string;
  phonesDir: string;
  clusterKeysDir: string;
  itl: string;
}

export function labPaths(dir: string): LabPaths {
  const d = path.resolve(dir);
  return {
    dir: d,
    capfCert: path.join(d, 'capf', 'capf.pem'),
    capfKey: path.join(d, 'capf', 'capf.key.pem'),
    manufacturingCaCert: path.join(d, 'manufacturing-ca', 'ca.pem'),
    manufacturingCaKey: path.join(d, 'manufacturing-ca', 'ca.key.pem'),
    devices: path.join(d, DEVICE_TABLE_FILE),
    stateLog: path.join(d, STATE_LOG_FILE),
    lock: path.join(d, 'capf-server.lock'),
    serverInfo: path.join(d, 'capf-server.json'),
    log: path.join(d, 'operations.log'),
    fetchedDir: path.join(d, 'fetched'),
    phonesDir: path.join(d, 'phones'),
    clusterKeysDir: path.join(d, 'cluster', 'keys'),
    itl: path.join(d, LAB_TFTP_DIR, 'ITLFile.tlv'),
  };
}

export class UnsafeDeviceNameError extends Error {}

/** `device` when it can name a file; throws otherwise, so no name from the network can escape the folder. */
export function safeDevice(device: string): string {
  const problem = deviceNameProblem(device);
  if (problem) throw new UnsafeDeviceNameError(problem);
  return device;
}
