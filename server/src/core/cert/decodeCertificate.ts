/**
 * X.509 certificate decoder (RSA and EC alike). Pure: no vscode, no I/O. Never throws.
 * node-forge cannot read EC certificates, so this reads the DER itself (and keeps every field's
 * byte range for the annotated view); tests cross-check it against Node's X509Certificate.
 */
import * as crypto from 'node:crypto';
import { DerBudget, DerNode, MAX_DER_NODES, readDerNode, isUniversal, Tag, decodeOid, decodeString, decodeTime } from '../asn1/der';
import { OID, OID_NAMES, DN_SHORT_NAMES, CURVE_NAMES } from '../asn1/oids';
import * as w from '../asn1/derWriter';
import {
  ByteSpan,
  CertExtension,
  CertificateDecodeResult,
  CertificateField,
  CertificateProblem,
  DecodedCertificate,
  DistinguishedName,
  DnAttribute,
  PublicKeyInfo,
  BasicConstraints,
} from './model';

const span = (n: DerNode): ByteSpan => ({ start: n.offset, end: n.end });

/** One-shot digest. crypto.hash (Node 20.12+) skips the Hash stream object; older Node 20 gets createHash. */
const digest: (algorithm: 'sha1' | 'sha256', data: Buffer) => Buffer =
  typeof crypto.hash === 'function'
    ? (algorithm, data) => crypto.hash(algorithm, data, 'buffer')
    : (algorithm, data) => crypto.createHash(algorithm).update(data).digest();

/** "0A", "FF", ... by byte value. */
const HEX_BYTE = Array.from({ length: 256 }, (_, x) => x.toString(16).padStart(2, '0').toUpperCase());

/** Upper-case hex pairs joined by `separator`: "0A:1B:FF" with ':', "0A 1B FF" with ' '. */
export function hexBytes(b: Buffer, separator: string): string {
  if (b.length === 0) return '';
  let text = HEX_BYTE[b[0]];
  for (let i = 1; i < b.length; i++) text += separator + HEX_BYTE[b[i]];
  return text;
}

/** "0A:1B:FF": serials, key ids and fingerprints as openssl prints them. */
export function hexColon(b: Buffer): string {
  return hexBytes(b, ':');
}

export function decodeName(node: DerNode): DistinguishedName {
  const attributes: DnAttribute[] = [];
  for (const rdn of node.children) {
    for (const atv of rdn.children) {
      const oidNode = atv.children[0];
      const valueNode = atv.children[1];
      if (!isUniversal(oidNode, Tag.OID) || !valueNode) continue;
      const oid = decodeOid(oidNode.content);
      attributes.push({ oid, name: DN_SHORT_NAMES[oid] ?? oid, value: decodeString(valueNode), span: span(atv) });
    }
  }
  // Both texts list the attributes most specific first, i.e. in reverse DER order.
  const pairs: string[] = [];
  for (let k = attributes.length - 1; k >= 0; k--) pairs.push(`${attributes[k].name}=${attributes[k].value}`);
  return {
    attributes,
    rfc4514: pairs.join(','),
    cucm: pairs.join(';'),
    der: Buffer.from(node.bytes),
    span: span(node),
  };
}

/** Signature and key algorithms by OID, in openssl's spelling (OID_NAMES covers the rest). */
const ALGORITHM_NAMES: Record<string, string> = {
  [OID.sha1WithRSA]: 'sha1WithRSAEncryption',
  [OID.sha256WithRSA]: 'sha256WithRSAEncryption',
  [OID.sha384WithRSA]: 'sha384WithRSAEncryption',
  [OID.sha512WithRSA]: 'sha512WithRSAEncryption',
  [OID.md5WithRSA]: 'md5WithRSAEncryption',
  [OID.ecdsaWithSHA1]: 'ecdsa-with-SHA1',
  [OID.ecdsaWithSHA256]: 'ecdsa-with-SHA256',
  [OID.ecdsaWithSHA384]: 'ecdsa-with-SHA384',
  [OID.ecdsaWithSHA512]: 'ecdsa-with-SHA512',
  [OID.rsaEncryption]: 'rsaEncryption',
  [OID.ecPublicKey]: 'id-ecPublicKey',
};

function algorithmName(oid: string): string {
  return ALGORITHM_NAMES[oid] ?? OID_NAMES[oid] ?? oid;
}

/** An INTEGER's content without leading zero bytes (the magnitude of a non-negative DER integer). */
export function unsignedInt(content: Buffer): Buffer {
  let i = 0;
  while (i < content.length - 1 && content[i] === 0) i++;
  return content.subarray(i);
}

function decodePublicKey(spki: DerNode, budget: DerBudget): PublicKeyInfo {
  const [alg, bits] = spki.children;
  const algOid = alg?.children[0] && isUniversal(alg.children[0], Tag.OID) ? decodeOid(alg.children[0].content) : '';
  const keyBytes = bits && isUniversal(bits, Tag.BIT_STRING) ? bits.content.subarray(1) : Buffer.alloc(0);
  if (algOid === OID.rsaEncryption) {
    const rsa = readDerNode(keyBytes, 0, keyBytes.length, 0, 64, budget);
    const mod = rsa?.children[0];
    const exp = rsa?.children[1];
    const modulus = mod ? unsignedInt(mod.content) : Buffer.alloc(0);
    let exponent = 0;
    for (const b of exp ? exp.content : []) exponent = exponent * 256 + b;
    const bitsCount = modulus.length ? (modulus.length - 1) * 8 + (32 - Math.clz32(modulus[0])) : 0;
    return { type: 'RSA', bits: bitsCount, exponent, modulus, pkcs1: Buffer.from(keyBytes), span: span(spki) };
  }
  if (algOid === OID.ecPublicKey) {
    const param = alg.children[1];
    const curveOid = param && isUniversal(param, Tag.OID) ? decodeOid(param.content) : '';
    const curve = CURVE_NAMES[curveOid] ?? curveOid;
    const bitsCount = curve === 'P-256' ? 256 : curve === 'P-384' ? 384 : curve === 'P-521' ? 521 : ((keyBytes.length - 1) / 2) * 8;
    return { type: 'EC', curve, bits: bitsCount, point: Buffer.from(keyBytes), span: span(spki) };
  }
  return { type: 'unknown', algorithmOid: algOid, bits: keyBytes.length * 8, span: span(spki) };
}

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const EKU_NAMES: Record<string, string> = {
  [OID.serverAuth]: 'TLS Web Server Authentication',
  [OID.clientAuth]: 'TLS Web Client Authentication',
  [OID.codeSigning]: 'Code Signing',
  [OID.emailProtection]: 'E-mail Protection',
  [OID.ipsecEndSystem]: 'IPSec End System',
  [OID.ipsecTunnel]: 'IPSec Tunnel',
  [OID.ipsecUser]: 'IPSec User',
  [OID.timeStamping]: 'Time Stamping',
  [OID.ocspSigning]: 'OCSP Signing',
};

interface ExtensionDecoded {
  ext: CertExtension;
  basic?: BasicConstraints;
  keyUsage?: string[];
  eku?: string[];
  san?: string[];
}

function decodeExtension(node: DerNode, budget: DerBudget): ExtensionDecoded | undefined {
  const [oidNode, second, third] = node.children;
  if (!isUniversal(oidNode, Tag.OID)) return undefined;
  const oid = decodeOid(oidNode.content);
  const hasCritical = isUniversal(second, Tag.BOOLEAN);
  const critical = hasCritical ? second.content[0] !== 0 : false;
  const valueNode = hasCritical ? third : second;
  const inner = valueNode ? readDerNode(valueNode.content, 0, valueNode.content.length, 0, 64, budget) : undefined;
  // The text of an extension not read below, or whose value does not parse: its value bytes in hex.
  // Made only then, as the extensions read below (nearly all of them) replace it.
  const hexText = (): string => (valueNode ? valueNode.content.toString('hex') : '');
  const out: ExtensionDecoded = { ext: { oid, name: OID_NAMES[oid] ?? oid, critical, span: span(node), text: '' } };
  if (!inner) {
    out.ext.text = hexText();
    return out;
  }
  switch (oid) {
    case OID.basicConstraints: {
      const ca = inner.children.some((c) => isUniversal(c, Tag.BOOLEAN) && c.content[0] !== 0);
      const pl = inner.children.find((c) => isUniversal(c, Tag.INTEGER));
      out.basic = { ca, pathLength: pl ? pl.content.reduce((a, b) => a * 256 + b, 0) : undefined };
      out.ext.text = `CA:${ca ? 'TRUE' : 'FALSE'}${pl ? `, pathlen:${out.basic.pathLength}` : ''}`;
      break;
    }
    case OID.keyUsage: {
      const bytes = inner.content.subarray(1);
      const names: string[] = [];
      KEY_USAGE_BITS.forEach((name, i) => {
        const byte = bytes[i >> 3] ?? 0;
        if (byte & (0x80 >> (i & 7))) names.push(name);
      });
      out.keyUsage = names;
      out.ext.text = names.join(', ');
      break;
    }
    case OID.extKeyUsage: {
      const oids = inner.children.filter((c) => isUniversal(c, Tag.OID)).map((c) => decodeOid(c.content));
      out.eku = oids.map((o) => OID_NAMES[o] ?? o);
      out.ext.text = oids.map((o) => EKU_NAMES[o] ?? o).join(', ');
      break;
    }
    case OID.subjectAltName: {
      const names: string[] = [];
      for (const c of inner.children) {
        if (c.tagClass !== 'context') continue;
        if (c.tagNumber === 1) names.push(`email:${c.content.toString('latin1')}`);
        else if (c.tagNumber === 2) names.push(`DNS:${c.content.toString('latin1')}`);
        else if (c.tagNumber === 6) names.push(`URI:${c.content.toString('latin1')}`);
        else if (c.tagNumber === 7) {
          names.push(
            c.content.length === 4
              ? `IP:${[...c.content].join('.')}`
              : `IP:${(c.content.toString('hex').match(/.{1,4}/g) ?? []).join(':')}`,
          );
        } else names.push(`[${c.tagNumber}]`);
      }
      out.san = names;
      out.ext.text = names.join(', ');
      break;
    }
    case OID.subjectKeyIdentifier:
      out.ext.text = hexColon(inner.content);
      break;
    case OID.authorityKeyIdentifier: {
      const kid = inner.children.find((c) => c.tagClass === 'context' && c.tagNumber === 0);
      out.ext.text = kid ? `keyid:${hexColon(kid.content)}` : '';
      break;
    }
    default:
      out.ext.text = hexText();
  }
  return out;
}

function fmtDate(d: Date | undefined): string {
  return d ? d.toISOString().replace('.000Z', 'Z') : '(unreadable)';
}

/** Decodes one DER certificate. */
export function decodeCertificate(der: Buffer): CertificateDecodeResult {
  const budget: DerBudget = { nodes: MAX_DER_NODES };
  const root = readDerNode(der, 0, der.length, 0, 64, budget);
  if (!root || !isUniversal(root, Tag.SEQUENCE) || root.children.length < 3) {
    return {
      ok: false,
      problems: [
        {
          code: root?.truncated ? 'cert-truncated' : 'cert-malformed',
          message: root?.truncated
            ? `The certificate is truncated: it declares ${root.length} bytes of content but the data ends at byte ${der.length}.`
            : 'This is not a DER X.509 certificate (expected a SEQUENCE of tbsCertificate, signatureAlgorithm, signature).',
          span: { start: 0, end: Math.max(1, der.length) },
        },
      ],
    };
  }
  const [tbs, sigAlgNode, sigNode] = root.children;
  const fields: CertificateField[] = [];
  const t = tbs.children;
  let i = 0;
  let version = 1;
  if (t[i] && t[i].tagClass === 'context' && t[i].tagNumber === 0) {
    const v = t[i].children[0];
    version = (v?.content[0] ?? 0) + 1;
    fields.push({ path: 'version', label: 'Version', span: span(t[i]), text: `${version} (0x${version - 1})` });
    i++;
  }
  const serialNode = t[i++];
  const sigInner = t[i++];
  const issuerNode = t[i++];
  const validityNode = t[i++];
  const subjectNode = t[i++];
  const spkiNode = t[i++];
  if (!serialNode || !sigInner || !issuerNode || !validityNode || !subjectNode || !spkiNode) {
    return {
      ok: false,
      problems: [
        {
          code: root.truncated ? 'cert-truncated' : 'cert-malformed',
          message: 'The tbsCertificate is missing fields (serial, signature, issuer, validity, subject or public key).',
          span: span(tbs),
        },
      ],
    };
  }
  const serial = unsignedInt(serialNode.content);
  const serialHex = hexColon(serial);
  fields.push({ path: 'serialNumber', label: 'Serial Number', span: span(serialNode), text: serialHex });
  const sigOidNode = sigAlgNode.children[0];
  const sigOid = sigOidNode && isUniversal(sigOidNode, Tag.OID) ? decodeOid(sigOidNode.content) : '';
  const sigAlgName = algorithmName(sigOid);
  fields.push({ path: 'signature', label: 'Signature Algorithm', span: span(sigInner), text: sigAlgName });
  const issuer = decodeName(issuerNode);
  fields.push({ path: 'issuer', label: 'Issuer', span: span(issuerNode), text: issuer.rfc4514 });
  const [nbNode, naNode] = validityNode.children;
  const notBefore = nbNode ? decodeTime(nbNode) : undefined;
  const notAfter = naNode ? decodeTime(naNode) : undefined;
  if (nbNode) fields.push({ path: 'validity.notBefore', label: 'Not Before', span: span(nbNode), text: fmtDate(notBefore) });
  if (naNode) fields.push({ path: 'validity.notAfter', label: 'Not After', span: span(naNode), text: fmtDate(notAfter) });
  const subject = decodeName(subjectNode);
  fields.push({ path: 'subject', label: 'Subject', span: span(subjectNode), text: subject.rfc4514 });
  const publicKey = decodePublicKey(spkiNode, budget);
  fields.push({
    path: 'subjectPublicKeyInfo',
    label: 'Subject Public Key Info',
    span: span(spkiNode),
    text:
      publicKey.type === 'RSA'
        ? `RSA ${publicKey.bits} bit, exponent ${publicKey.exponent}`
        : publicKey.type === 'EC'
          ? `EC ${publicKey.curve} (${publicKey.bits} bit)`
          : `unknown key algorithm ${publicKey.algorithmOid}`,
  });
  const extensions: CertExtension[] = [];
  let basicConstraints: BasicConstraints | undefined;
  let keyUsage: string[] | undefined;
  let extendedKeyUsage: string[] | undefined;
  let subjectAltNames: string[] | undefined;
  for (; i < t.length; i++) {
    const n = t[i];
    if (n.tagClass !== 'context' || n.tagNumber !== 3) continue;
    for (const e of n.children[0]?.children ?? []) {
      const d = decodeExtension(e, budget);
      if (!d) continue;
      extensions.push(d.ext);
      basicConstraints = d.basic ?? basicConstraints;
      keyUsage = d.keyUsage ?? keyUsage;
      extendedKeyUsage = d.eku ?? extendedKeyUsage;
      subjectAltNames = d.san ?? subjectAltNames;
      fields.push({
        path: `extensions.${d.ext.name}`,
        label: `X509v3 ${d.ext.name}${d.ext.critical ? ' (critical)' : ''}`,
        span: d.ext.span,
        text: d.ext.text,
      });
    }
  }
  const signature = sigNode && isUniversal(sigNode, Tag.BIT_STRING) ? Buffer.from(sigNode.content.subarray(1)) : Buffer.alloc(0);
  fields.push({ path: 'signatureAlgorithm', label: 'Signature Algorithm', span: span(sigAlgNode), text: sigAlgName });
  fields.push({ path: 'signatureValue', label: 'Signature Value', span: span(sigNode), text: `${signature.length} bytes` });
  const certDer = Buffer.from(der.subarray(0, root.end));
  const certificate: DecodedCertificate = {
    der: certDer,
    version,
    serial: Buffer.from(serial),
    serialHex,
    signatureAlgorithm: sigAlgName,
    signatureAlgorithmOid: sigOid,
    issuer,
    subject,
    notBefore,
    notAfter,
    publicKey,
    extensions,
    basicConstraints,
    keyUsage,
    extendedKeyUsage,
    subjectAltNames,
    signature,
    sha1: digest('sha1', certDer),
    sha256: digest('sha256', certDer),
    selfIssued: issuer.der.equals(subject.der),
    fields,
  };
  const problems: CertificateProblem[] = root.truncated
    ? [{ code: 'cert-truncated', message: `The certificate is truncated: it declares ${root.length} content bytes but the data ends at byte ${der.length}.`, span: span(root) }]
    : [];
  if (budget.exhausted) {
    problems.push({ code: 'cert-malformed', message: `The certificate holds more than ${MAX_DER_NODES.toLocaleString('en-US')} DER elements (a real one holds a few hundred): ITL Lens read only the first of them.`, span: span(root) });
  }
  return { ok: true, certificate, problems };
}

export { w as derWriter };
