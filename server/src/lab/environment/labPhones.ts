/** Emulated phones of a lab: each has a folder with a MIC from the lab manufacturing CA (made on first use). */
import { createPublicKey, KeyObject } from 'node:crypto';
import { PhoneFolder, PhoneIdentity } from '../phone/phoneIdentity';
import { PhoneAuth } from '../phone/phoneSession';
import { DeviceEntry } from '../model/deviceTable';
import { issueMic } from '../capf/service/labCertificates';
import { LabState } from '../capf/service/labState';

export interface LabPhone {
  identity: PhoneIdentity;
  folder: PhoneFolder;
}

/** Loads phones/<name>/, creating its MIC (key from `micKey` or the lab's key source) when missing. */
export async function ensureLabPhone(state: LabState, name: string, micKey?: KeyObject): Promise<LabPhone> {
  const folder = new PhoneFolder(state.phoneDir(name));
  let identity = folder.load(name);
  if (!identity.mic) {
    const key = micKey ?? (await state.keySource({ type: 'rsa', bits: 2048 }, `mic:${name}`));
    await folder.saveMic({ der: issueMic(state.manufacturingCa, name, createPublicKey(key), state.clock()), key });
    identity = folder.load(name);
  }
  return { identity, folder };
}

/**
 * How the phone authenticates, as its configuration file (capfAuthMode) would tell it. The authentication
 * string is what the user keys in on the phone, so it comes from the caller, never from the server's table.
 */
export function phoneAuthFor(entry: Pick<DeviceEntry, 'authenticationMode'> | undefined, authString?: string): PhoneAuth {
  switch (entry?.authenticationMode) {
    case 'By Authentication String':
      return { mode: 'string', value: authString ?? '' };
    case 'By Existing Certificate (precedence to LSC)':
      return { mode: 'certificate', precedence: 'LSC' };
    case 'By Existing Certificate (precedence to MIC)':
      return { mode: 'certificate', precedence: 'MIC' };
    default:
      return authString ? { mode: 'string', value: authString } : { mode: 'null' };
  }
}
