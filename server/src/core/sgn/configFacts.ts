/**
 * The trust-related facts of a phone configuration file (SEP<MAC>.cnf.xml), with their byte ranges: the CAPF
 * servers (capfList: processNodeName + phonePort, up to 5) and capfAuthMode (reference parts C and E), and the
 * encryption fields of a companion file (certHash, encrConfig).
 */
import { ByteRange } from '../tlv/model';
import { XmlElement } from './model';
import { allElements } from './xmlOutline';

export interface CapfEntry {
  host?: string;
  hostRange?: ByteRange;
  port?: number;
  portText?: string;
  portRange?: ByteRange;
  range: ByteRange;
}

export interface ConfigFacts {
  /** the root element is <device> */
  isDeviceConfig: boolean;
  capfAuthMode?: { value: string; range: ByteRange };
  capf: CapfEntry[];
  certHash?: { value: string; range: ByteRange };
  encrConfig?: boolean;
}

/** capfAuthMode values (reference part B: the CAPF auth types). */
export const CAPF_AUTH_MODES: Record<string, string> = {
  '0': 'none (no certificate operation)',
  '1': 'By Authentication String',
  '2': 'By Null String',
  '3': 'By Existing Certificate (precedence to LSC)',
  '4': 'By Existing Certificate (precedence to MIC)',
};

export function configFacts(outline: XmlElement[] | undefined): ConfigFacts {
  const root = outline?.find((e) => e.depth === 0);
  const facts: ConfigFacts = { isDeviceConfig: root?.name === 'device', capf: [] };
  if (!root || !facts.isDeviceConfig) return facts;
  const all = allElements([root]);
  const at = (p: string) => all.find((e) => e.path === `device/${p}`);
  const mode = at('capfAuthMode');
  if (mode) facts.capfAuthMode = { value: mode.text ?? '', range: mode.range };
  const hash = at('certHash');
  if (hash?.text) facts.certHash = { value: hash.text.toLowerCase(), range: hash.range };
  const encr = at('encrConfig');
  if (encr) facts.encrConfig = encr.text === 'true';
  for (const capf of all.filter((e) => e.path === 'device/capfList/capf')) {
    const host = capf.children.find((c) => c.name === 'processNodeName');
    const port = capf.children.find((c) => c.name === 'phonePort');
    facts.capf.push({
      range: capf.range,
      host: host?.text,
      hostRange: host?.range,
      portText: port?.text,
      port: port?.text && /^\d+$/.test(port.text) ? Number(port.text) : undefined,
      portRange: port?.range,
    });
  }
  return facts;
}
