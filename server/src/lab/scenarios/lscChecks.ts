/** Checks that an issued LSC has exactly the profile of reference part B (and chains to the CAPF certificate). */
import { X509Certificate } from 'node:crypto';
import { decodeCertificate } from '../../core/cert/decodeCertificate';
import { OID } from '../../core/asn1/oids';
import { describeKey } from '../model/keys';
import { Issuer, issuedBy } from '../capf/service/issuer';
import { ScenarioCheck } from './types';

const check = (name: string, passed: boolean, detail?: string): ScenarioCheck => ({ name, passed, detail });

export function lscProfileChecks(der: Buffer, capf: Issuer, device: string, expectedKey: string): ScenarioCheck[] {
  const d = decodeCertificate(der);
  if (!d.ok) return [check('the LSC is a readable certificate', false, d.problems[0]?.message)];
  const c = d.certificate;
  const x = new X509Certificate(der);
  const copied = new Set<string>([OID.organization, OID.organizationalUnit, OID.locality, OID.state, OID.country]);
  const fromCapf = capf.cert.subject.attributes.filter((a) => copied.has(a.oid)).map((a) => `${a.name}=${a.value}`);
  const inLsc = c.subject.attributes.filter((a) => copied.has(a.oid)).map((a) => `${a.name}=${a.value}`);
  const cn = c.subject.attributes.filter((a) => a.oid === OID.commonName).map((a) => a.value);
  const ext = (oid: string) => c.extensions.find((e) => e.oid === oid);
  const days = c.notBefore && c.notAfter ? Math.round((c.notAfter.getTime() - c.notBefore.getTime()) / 86_400_000) : NaN;
  return [
    check('chains to the CAPF certificate', issuedBy(x, capf.x509)),
    check(`subject CN is ${device}`, cn.length === 1 && cn[0] === device, c.subject.rfc4514),
    check('subject O, OU, L, ST, C copied from the CAPF subject', JSON.stringify(inLsc) === JSON.stringify(fromCapf), c.subject.rfc4514),
    check('issuer is the CAPF certificate subject', c.issuer.der.equals(capf.cert.subject.der), c.issuer.rfc4514),
    check('signed with SHA-256', /sha256|SHA256/.test(c.signatureAlgorithm), c.signatureAlgorithm),
    check('random 128-bit serial', c.serial.length >= 15 && c.serial.length <= 16, c.serialHex),
    check('basicConstraints CA:FALSE, critical', c.basicConstraints?.ca === false && ext(OID.basicConstraints)?.critical === true),
    check('keyUsage digitalSignature + keyEncipherment, critical', JSON.stringify(c.keyUsage) === JSON.stringify(['digitalSignature', 'keyEncipherment']) && ext(OID.keyUsage)?.critical === true, c.keyUsage?.join(', ')),
    check('EKU serverAuth, clientAuth, IPsec End System', JSON.stringify(c.extendedKeyUsage) === JSON.stringify(['serverAuth', 'clientAuth', 'ipsecEndSystem']), c.extendedKeyUsage?.join(', ')),
    check(`SAN URI:${device}`, JSON.stringify(c.subjectAltNames) === JSON.stringify([`URI:${device}`]), c.subjectAltNames?.join(', ')),
    check(`public key ${expectedKey}`, describeKey(x.publicKey) === expectedKey, describeKey(x.publicKey)),
    check('valid for 365 days', days === 365, `${days} days`),
  ];
}
