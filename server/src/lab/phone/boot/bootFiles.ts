/**
 * The files a phone asks its TFTP server for at boot, in order [F reference part G: CTLSEP<MAC>.tlv,
 * ITLSEP<MAC>.tlv, ITLFile.tlv from third-party TFTP logs; SEP<MAC>.cnf.xml.sgn from SBD]. A per-device file
 * replaces the cluster default; CTLFile.tlv is asked for when there is no per-device CTL [I part G]. Names are
 * built from the validated device name only.
 */
import { safeDevice } from '../../model/labLayout';

export interface BootFileNames {
  ctl: [string, string];
  itl: [string, string];
  config: string;
}

export function bootFileNames(device: string): BootFileNames {
  const d = safeDevice(device);
  return { ctl: [`CTL${d}.tlv`, 'CTLFile.tlv'], itl: [`ITL${d}.tlv`, 'ITLFile.tlv'], config: `${d}.cnf.xml.sgn` };
}
