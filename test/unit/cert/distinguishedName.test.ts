import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { decodeCertificate } from '../../../server/src/core/cert/decodeCertificate';
import {
  CUCM_DN_STYLE,
  dnAttribute,
  dnKeyOfName,
  dnKeyOfText,
  DnStyle,
  formatDn,
  parseDn,
  sameDn,
} from '../../../server/src/core/cert/distinguishedName';
import { encodeName, issueCertificate, serialFrom } from '../../../server/src/core/cert/issueCertificate';
import { DnAttribute } from '../../../server/src/core/cert/model';
import { OID } from '../../../server/src/core/asn1/oids';
import { loadFixtureKeys } from '../../../server/src/lab/cluster/clusterKeys';
import { TLVFILE_LAYOUT } from '../../../server/src/core/tlv/build';
import { fixture, KEYS_DIR, TEST_NOW } from '../../helpers/fixtures';
import { Prng } from '../../helpers/prng';
import { readDerNode } from '../../../server/src/core/asn1/der';
import { decodeName } from '../../../server/src/core/cert/decodeCertificate';

const SITE_CUCM = 'CN=CAPF-7f0ae8d7;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US';

function decoded(der: Buffer) {
  const r = decodeCertificate(der);
  assert.ok(r.ok);
  return r.certificate;
}

/** Every way of writing a decoded name this project knows, from our writer and from independent ones. */
function spellings(der: Buffer): Record<string, string> {
  const c = decoded(der);
  const styles: Record<string, DnStyle> = {
    cucm: CUCM_DN_STYLE,
    tlvfile: TLVFILE_LAYOUT.names,
    'tlvfile source (; in certificate order, escaped)': { separator: ';', order: 'certificate', escape: true },
    'rfc 4514 (escaped, CN first)': { separator: ',', order: 'most-specific-first', escape: true },
  };
  const out: Record<string, string> = {};
  for (const [name, style] of Object.entries(styles)) out[name] = formatDn(c.subject, style);
  out['node X509Certificate (one a line)'] = new X509Certificate(der).subject;
  out['@peculiar/x509 (", " in certificate order)'] = new x509.X509Certificate(der).subject;
  return out;
}

describe('distinguished names', () => {
  it('gives CUCM, tlvfile and RFC 4514 spellings of one name the same key', () => {
    const key = dnKeyOfText(SITE_CUCM);
    for (const text of [
      'C=US,ST=MA,L=Boxborough,O=Cisco Systems,OU=TAC,CN=CAPF-7f0ae8d7', // tlvfile: certificate order
      'CN=CAPF-7f0ae8d7,OU=TAC,O=Cisco Systems,L=Boxborough,ST=MA,C=US', // RFC 4514
      'CN=CAPF-7f0ae8d7, OU=TAC, O=Cisco Systems, L=Boxborough, ST=MA, C=US', // openssl -nameopt RFC2253 with spaces
      'c=us; st=ma ;l=Boxborough;o=CISCO   SYSTEMS;ou=tac;cn=capf-7F0AE8D7', // case of types and values, spaces
      'C=US/ST=MA/L=Boxborough/O=Cisco Systems/OU=TAC/CN=CAPF-7f0ae8d7'.replace(/^/, '/'), // openssl one-line
      'C=US\nST=MA\nL=Boxborough\nO=Cisco Systems\nOU=TAC\nCN=CAPF-7f0ae8d7', // Node X509Certificate.subject
      'OID.2.5.4.3=CAPF-7f0ae8d7, 2.5.4.11=TAC, O=Cisco Systems, L=Boxborough, S=MA, C=US', // Windows: S=, OIDs
      `${SITE_CUCM}\0`, // a trailing NUL as in the file
    ]) {
      assert.equal(dnKeyOfText(text), key, text);
    }
  });

  it('tells different sets of attributes apart', () => {
    const key = dnKeyOfText(SITE_CUCM);
    for (const text of [
      'CN=CAPF-7f0ae8d7;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA', // one fewer
      `${SITE_CUCM};OU=TAC`, // one more (a repeated OU counts)
      'CN=CAPF-7f0ae8d8;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US', // another value
      'CN=TAC;OU=CAPF-7f0ae8d7;O=Cisco Systems;L=Boxborough;ST=MA;C=US', // values swapped between types
      'CN=CAPF-7f0ae8d7;OU=TAC;O=Cisco Systems, Inc.;L=Boxborough;ST=MA;C=US',
    ]) {
      assert.notEqual(dnKeyOfText(text), key, text);
    }
    // One CN holding "a+2.5.4.3=b", and two CNs a and b: the key escapes the + it joins attributes with.
    assert.notEqual(dnKeyOfText('CN=a\\+2.5.4.3=b'), dnKeyOfText('CN=a+2.5.4.3=b'));
    assert.deepEqual(parseDn('CN=a\\+2.5.4.3=b').map((a) => a.value), ['a+2.5.4.3=b']);
    assert.notEqual(dnKeyOfText('garbage'), dnKeyOfText('other garbage'));
    assert.notEqual(dnKeyOfText('garbage'), dnKeyOfText(''));
  });

  it('keeps commas in CUCM values and reads escaped, quoted and hex values', () => {
    assert.deepEqual(parseDn('CN=ao115pub;O=Cisco Systems, Inc.;C=US'), [
      { type: 'CN', value: 'ao115pub' },
      { type: 'O', value: 'Cisco Systems, Inc.' },
      { type: 'C', value: 'US' },
    ]);
    const inc = dnKeyOfText('CN=ao115pub;O=Cisco Systems, Inc.;C=US');
    assert.equal(dnKeyOfText('C=US,O=Cisco Systems\\, Inc.,CN=ao115pub'), inc, 'RFC 4514 escape');
    assert.equal(dnKeyOfText('C=US,O=Cisco Systems\\2C Inc.,CN=ao115pub'), inc, 'hex escape');
    assert.equal(dnKeyOfText('C=US, O="Cisco Systems, Inc.", CN=ao115pub'), inc, 'quoted (RFC 1779)');
    assert.equal(dnKeyOfText('C=US,O=Cisco Systems, Inc.,CN=ao115pub'), inc, 'unescaped comma not followed by type=');
    assert.deepEqual(parseDn('CN=caf\\C3\\A9 \\\\ \\"x\\"'), [{ type: 'CN', value: 'café \\ "x"' }]);
    assert.deepEqual(parseDn('CN=#0c0461626364,O=#zz'), [
      { type: 'CN', value: 'abcd' },
      { type: 'O', value: '#zz' },
    ]);
    assert.deepEqual(parseDn('CN=a;b'), [{ type: 'CN', value: 'a;b' }], 'a ; not followed by type= is part of the value');
    assert.deepEqual(parseDn('CN=x\\;OU=y'), [{ type: 'CN', value: 'x;OU=y' }]);
  });

  it('reads multi-valued RDNs and the many spellings of attribute types', () => {
    assert.equal(dnKeyOfText('CN=a+UID=b,O=c'), dnKeyOfText('UID=b;CN=a;O=c'));
    assert.equal(dnKeyOfText('E=admin@example.com,CN=a'), dnKeyOfText('CN=a;emailAddress=ADMIN@example.com'));
    assert.equal(dnKeyOfText('EMAIL=admin@example.com,CN=a'), dnKeyOfText('CN=a, 1.2.840.113549.1.9.1=admin@example.com'));
    assert.equal(dnKeyOfText('commonName=a, dc=example, DC=com'), dnKeyOfText('DC=com;DC=example;CN=a'));
    assert.equal(dnKeyOfText('SERIALNUMBER=42,CN=a'), dnKeyOfText('CN=a;serialNumber=42'));
    assert.notEqual(dnKeyOfText('SN=42,CN=a'), dnKeyOfText('CN=a;serialNumber=42'), 'SN is the surname');
  });

  it('finds an attribute whatever the order and spelling', () => {
    assert.equal(dnAttribute('C=US,ST=MA,CN=CAPF-7f0ae8d7', 'CN'), 'CAPF-7f0ae8d7');
    assert.equal(dnAttribute(SITE_CUCM, 'cn'), 'CAPF-7f0ae8d7');
    assert.equal(dnAttribute('commonName=a\\, b', 'CN'), 'a, b');
    assert.equal(dnAttribute('O=x', 'CN'), undefined);
  });

  it('gives a certificate\'s decoded name the key of every spelling of it, ours and independent tools\'', () => {
    const keys = loadFixtureKeys(KEYS_DIR);
    const tricky = issueCertificate({
      subject: 'CN=phone\\, lab+1;OU= Voice  Team ;O=Cisco Systems, Inc.;L=#1 Street;ST=MA;C=US;E=Admin@Example.com',
      publicKey: keys['cert-rsa'],
      signingKey: keys['cert-rsa'],
      serial: serialFrom('dn-tricky'),
      notBefore: TEST_NOW,
      notAfter: new Date(TEST_NOW.getTime() + 86_400_000),
      deterministic: true,
    });
    const c = decoded(tricky);
    assert.deepEqual(
      c.subject.attributes.map((a) => [a.name, a.value]),
      [['emailAddress', 'Admin@Example.com'], ['C', 'US'], ['ST', 'MA'], ['L', '#1 Street'], ['O', 'Cisco Systems, Inc.'], ['OU', 'Voice  Team'], ['CN', 'phone, lab+1']],
    );
    for (const der of [tricky, fixture('cluster/CAPF.der'), fixture('certs/ec-p384.der'), fixture('certs/valid.der')]) {
      const cert = decoded(der);
      const key = dnKeyOfName(cert.subject);
      for (const [how, text] of Object.entries(spellings(der))) assert.equal(dnKeyOfText(text), key, `${how}: ${text}`);
      assert.ok(sameDn(cert.subject, cert.subject.cucm) && sameDn(cert.issuer.rfc4514, cert.issuer));
    }
  });

  it('round-trips random names written in any escaped style (seeded)', () => {
    const prng = new Prng(0x4514);
    const types = [OID.commonName, OID.organizationalUnit, OID.organization, OID.locality, OID.state, OID.country, OID.emailAddress, OID.domainComponent, OID.uid, '1.3.6.1.4.1.9.99'];
    const chars = ['a', 'Z', '0', ' ', ',', ';', '+', '=', '"', '\\', '#', '<', '>', 'é', '.', '-', '/'];
    const styles: DnStyle[] = [];
    for (const separator of [';', ','] as const) for (const order of ['most-specific-first', 'certificate'] as const) styles.push({ separator, order, escape: true });
    for (let n = 0; n < 500; n++) {
      const attributes: DnAttribute[] = [];
      for (let k = 1 + prng.int(6); k > 0; k--) {
        let value = '';
        for (let j = prng.int(12); j > 0; j--) value += prng.pick(chars);
        const oid = prng.pick(types);
        attributes.push({ oid, name: oid, value, span: { start: 0, end: 0 } });
      }
      const name = { attributes };
      for (const style of styles) {
        const text = formatDn(name, style);
        assert.equal(dnKeyOfText(text), dnKeyOfName(name), `${JSON.stringify(style)}: ${text}`);
      }
    }
  });

  it('never throws on arbitrary text (seeded)', () => {
    const prng = new Prng(7);
    const chars = ['C', 'N', '=', ',', ';', '+', '"', '\\', '#', '/', '\n', ' ', '0', 'f', '\0', '.'];
    for (let n = 0; n < 3000; n++) {
      let text = '';
      for (let j = prng.int(24); j > 0; j--) text += prng.pick(chars);
      const key = dnKeyOfText(text);
      assert.equal(typeof key, 'string');
      assert.equal(dnKeyOfText(text), key, 'deterministic');
      parseDn(text);
    }
  });

  it('issues certificates from names written either way, escapes included', () => {
    const name = (dn: string) => decodeName(readDerNode(encodeName(dn), 0)!);
    assert.deepEqual(name('CN=a\\,b;O=Cisco Systems, Inc.;C=US').attributes.map((a) => a.value), ['US', 'Cisco Systems, Inc.', 'a,b']);
    assert.equal(name('CN=a, O=b, E=x@y').attributes[0].oid, OID.emailAddress);
    assert.deepEqual(encodeName(SITE_CUCM), encodeName('CN=CAPF-7f0ae8d7, OU=TAC, O=Cisco Systems, L=Boxborough, ST=MA, C=US'));
    assert.throws(() => encodeName('CN=a;FOO=b'), /FOO.*neither a known name nor an OID/);
  });
});
