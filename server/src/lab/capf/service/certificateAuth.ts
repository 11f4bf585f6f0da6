/**
 * "By Existing Certificate" authentication on the server side: the phone's AUTH_RESP carries its LSC or MIC
 * (framed), SIGNED_DATA and SHA2_SIGNED_DATA. The certificate must chain to the CAPF certificate (an LSC) or
 * to the lab manufacturing CA (a MIC), be valid now, belong to this device, and the signatures must verify.
 * Which certificate the phone sends (precedence to LSC or to MIC) is the phone's choice; both are accepted.
 */
import { X509Certificate } from 'node:crypto';
import { CertType } from '../protocol/constants';
import { ParsedAuthResponse } from '../protocol/messages';
import { verifyAuthData } from '../protocol/signedData';
import { Issuer, issuedBy, validAt } from './issuer';
import { FailureCause } from '../../model/operationStatus';

export type CertificateAuthResult = { ok: true; kind: 'LSC' | 'MIC'; subject: string } | { ok: false; cause: FailureCause; problem: string };

export interface CertificateAuthInput {
  deviceName: string;
  auth: ParsedAuthResponse;
  capf: Issuer;
  manufacturingCa: Issuer;
  now: Date;
}

function commonName(cert: X509Certificate): string | undefined {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
}

export function verifyExistingCertificate(i: CertificateAuthInput): CertificateAuthResult {
  const framed = i.auth.certificate;
  if (!framed) return { ok: false, cause: 'Invalid Credentials', problem: 'the phone sent no certificate: "By Existing Certificate" needs an LSC or a MIC on the phone' };
  const claimed: 'LSC' | 'MIC' = framed.certType === CertType.MIC ? 'MIC' : 'LSC';
  const invalid = (kind: 'LSC' | 'MIC', problem: string): CertificateAuthResult => ({ ok: false, cause: kind === 'LSC' ? 'Invalid LSC' : 'Invalid MIC', problem });
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(framed.der);
  } catch {
    return invalid(claimed, `the ${claimed} the phone sent is not a readable certificate`);
  }
  const kind = issuedBy(cert, i.capf.x509) ? 'LSC' : issuedBy(cert, i.manufacturingCa.x509) ? 'MIC' : undefined;
  if (!kind) {
    return invalid(
      claimed,
      claimed === 'LSC'
        ? `the LSC (issuer ${oneLine(cert.issuer)}) was not issued by this CAPF certificate (${oneLine(i.capf.x509.subject)}): was the CAPF certificate regenerated since?`
        : `the MIC (issuer ${oneLine(cert.issuer)}) does not chain to the lab manufacturing CA`,
    );
  }
  if (!validAt(cert, i.now)) return invalid(kind, `the ${kind} is not valid now (valid ${cert.validFrom} to ${cert.validTo})`);
  const cn = commonName(cert) ?? '';
  const belongs = kind === 'LSC' ? cn === i.deviceName : cn === i.deviceName || cn.endsWith(`-${i.deviceName}`);
  if (!belongs) return invalid(kind, `the ${kind} was issued to "${cn}", not to ${i.deviceName}`);
  const sig = verifyAuthData(i.deviceName, framed.der, cert.publicKey, i.auth.signedData, i.auth.sha2SignedData);
  if (!sig.ok) return invalid(kind, `${sig.problem}: the phone did not prove it holds the ${kind}'s key`);
  return { ok: true, kind, subject: oneLine(cert.subject) };
}

function oneLine(dn: string): string {
  return dn.split('\n').reverse().join(',');
}
