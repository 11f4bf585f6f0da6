import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dnKey, issuerSerialKey, serialKey } from '../../../server/src/workspace/identity';
import { decodeWorkspaceFile } from '../../../server/src/workspace/decodeFile';
import { summarizeSource } from '../../../server/src/workspace/fileSummary';
import { DecodedCertificateFile, DecodedTrustList, IndexedCertificateFile, IndexedTrustList } from '../../../server/src/workspace/indexedFile';
import { loadPaths } from '../../../server/src/workspace/loadPaths';
import { fileUri } from '../../../server/src/workspace/uris';
import { WorkspaceIndex } from '../../../server/src/workspace/workspaceIndex';
import { FixtureLayout, fixturePath as fixturePathIn } from '../../helpers/fixtures';

function source(rel: string, layout?: FixtureLayout) {
  const p = fixturePathIn(rel, layout);
  return { uri: fileUri(p), path: p, name: p, bytes: fs.readFileSync(p) };
}

function decodeIn(rel: string, layout?: FixtureLayout) {
  return decodeWorkspaceFile(source(rel, layout))!;
}

function summary(rel: string) {
  return summarizeSource(source(rel))!;
}

const decode = (rel: string) => decodeIn(rel);

describe('workspace identity keys', () => {
  it('compares CUCM, tlvfile and RFC 4514 DNs alike', () => {
    assert.equal(dnKey('CN=CAPF-1;OU=TAC;O=Cisco Systems'), dnKey('CN=CAPF-1, OU=TAC, O=Cisco Systems'));
    assert.equal(dnKey('CN=CAPF-1;OU=TAC;O=Cisco Systems'), dnKey('O=Cisco Systems,OU=TAC,CN=CAPF-1'));
    const capf = (decode('cluster/CAPF.pem') as DecodedCertificateFile).certificates[0].certificate!;
    assert.equal(dnKey(capf.subject), dnKey('C=US,ST=MA,L=Boxborough,O=Cisco Systems,OU=TAC,CN=CAPF-7f0ae8d7'));
    assert.equal(dnKey('cn=a;o=B'), dnKey('CN=a;O=b'));
    assert.notEqual(dnKey('CN=a;O=b'), dnKey('CN=a;O=c'));
  });

  it('ignores leading zero bytes of serials', () => {
    assert.equal(serialKey(Buffer.from([0, 0x81, 2])), serialKey(Buffer.from([0x81, 2])));
    assert.equal(issuerSerialKey('CN=x', Buffer.from([0, 5])), issuerSerialKey('CN=x', Buffer.from([5])));
  });
});

describe('workspace decoding', () => {
  it('summarises byte-identical trust lists once (ITLSEP copies of ITLFile.tlv)', () => {
    const a = summary('cluster/ITLFile.tlv') as IndexedTrustList;
    const b = summary('cluster/ITLSEP001122334455.tlv') as IndexedTrustList;
    assert.notEqual(a.uri, b.uri);
    assert.equal(a.list, b.list);
    assert.equal(a.signature.status, 'valid');
    const tampered = summary('tampered/ITLFile.tlv') as IndexedTrustList;
    assert.notEqual(tampered.list, a.list);
    assert.equal(tampered.signature.status, 'invalid');
  });

  it('shares the summary of a record between trust lists that carry it at the same place', () => {
    const sha1 = summary('cluster/ITLFile.tlv') as IndexedTrustList;
    const sha512 = summary('sha512/ITLFile.tlv') as IndexedTrustList;
    assert.notEqual(sha1.contentKey, sha512.contentKey);
    assert.equal(sha512.records.length, sha1.records.length);
    for (let i = 0; i < sha1.records.length; i++) assert.equal(sha512.records[i], sha1.records[i], `record #${i + 1}`);
    const whole = decode('sha512/ITLFile.tlv') as DecodedTrustList;
    assert.deepEqual(
      sha512.records.map((r) => r.identity),
      whole.records.map((r) => r.identity),
    );
    assert.equal(sha512.signature.signer, sha512.records[sha512.signature.signer!.index - 1].record);
  });

  it('gives embedded certificates the SHA-1 a CERTHASH would carry', () => {
    const itl = decode('cluster/ITLFile.tlv') as DecodedTrustList;
    const pem = decode('cluster/ITLRecovery.pem') as DecodedCertificateFile;
    const sast = itl.records.find((r) => r.record.role === 0 && r.certificate)!;
    assert.equal(sast.identity.sha1, pem.certificates[0].certificate!.sha1.toString('hex'));
  });
});

// Twice: trust lists written by CUCM and by tlvfile (names in the certificate's order), the same certificates.
for (const layout of ['cucm', 'tlvfile'] as FixtureLayout[]) describe(`workspace index over the cluster fixture (${layout} layout)`, () => {
  const fixturePath = (rel: string) => fixturePathIn(rel, layout);
  const decode = (rel: string) => decodeIn(rel, layout);
  let index: WorkspaceIndex;
  before(async () => {
    index = (await loadPaths([fixturePath('cluster')])).index;
  });

  it('indexes both trust lists and every certificate file', () => {
    assert.equal(index.trustLists().length, 2);
    assert.deepEqual(
      index.certificateFiles().map((f) => path.basename(f.path!)).sort(),
      ['CAPF.der', 'CAPF.pem', 'CallManager-ECDSA.pem', 'CallManager-pub.pem', 'CallManager.pem', 'ITLRecovery.pem', 'TVS-ao115pub.pem', 'TVS-ao115sub.pem'],
    );
  });

  it('finds the certificate a hash-only CAPF record names, in PEM and DER', () => {
    const itl = index.get(fileUri(fixturePath('cluster/ITLFile.tlv'))) as IndexedTrustList;
    const capf = itl.records.find((r) => r.record.role === 4)!;
    assert.equal(capf.embedsCertificate, false, 'the CAPF record is hash-only');
    const files = index.certificatesMatching(capf.identity).map((m) => path.basename(m.file.path!)).sort();
    assert.deepEqual(files, ['CAPF.der', 'CAPF.pem']);
  });

  it('matches by issuer and serial when a record has no hash', () => {
    const itl = index.get(fileUri(fixturePath('cluster/ITLFile.tlv'))) as IndexedTrustList;
    const tvs = itl.records.find((r) => r.record.role === 21)!;
    const found = index.certificatesMatching({ issuerSerial: tvs.identity.issuerSerial });
    assert.equal(found.length, 1);
    assert.equal(path.basename(found[0].file.path!), 'TVS-ao115pub.pem');
  });

  it('lists every record that carries or names a certificate', () => {
    const pem = index.get(fileUri(fixturePath('cluster/CallManager.pem'))) as IndexedCertificateFile;
    const refs = index.recordsCarrying(pem.certificates[0].identity);
    // CallManager (ao115sub) is both SAST and TFTP in each of the two trust lists.
    assert.deepEqual(refs.map((r) => `${path.basename(r.file.path!)}#${r.record.record.index}`).sort(), [
      'ITLFile.tlv#5',
      'ITLFile.tlv#6',
      'ITLSEP001122334455.tlv#5',
      'ITLSEP001122334455.tlv#6',
    ]);
  });

  it('finds certificates by subject', () => {
    const pem = index.get(fileUri(fixturePath('cluster/CAPF.pem'))) as IndexedCertificateFile;
    assert.equal(index.certificatesWithSubject(pem.certificates[0].identity.subject!).length, 2);
  });

  it('re-files a replaced file under its new keys, and forgets deleted files', () => {
    const idx = new WorkspaceIndex();
    const itl = decode('cluster/ITLFile.tlv') as IndexedTrustList;
    const capf = decode('cluster/CAPF.pem');
    idx.set(itl);
    idx.set(capf);
    const record = itl.records[0].identity;
    assert.equal(idx.certificatesMatching(record).length, 1);
    assert.deepEqual(idx.recordsWithSubject(record.subject!).map((r) => r.record.record.index), [1]);
    idx.delete(capf.uri);
    assert.equal(idx.certificatesMatching(record).length, 0);
    assert.equal(idx.has(capf.uri), false);
    // The regenerated CAPF under the same URI: same subject, new hash.
    const regenerated = decode('capf-regenerated/CAPF.pem');
    idx.set({ ...regenerated, uri: capf.uri, path: capf.path });
    assert.equal(idx.certificatesMatching(record).length, 0);
    assert.equal(idx.certificatesWithSubject(record.subject!).length, 1);
    idx.set(capf);
    assert.equal(idx.certificatesMatching(record).length, 1);
    assert.equal(idx.size, 2);
  });

  it('lists the files under a folder', async () => {
    const { index: all } = await loadPaths([fixturePath('cluster'), fixturePath('certs')]);
    assert.equal(all.urisUnder(fixturePath('cluster')).length, 10);
    assert.ok(all.urisUnder(fixturePath('certs')).every((u) => u.includes('/certs/')));
  });
});
