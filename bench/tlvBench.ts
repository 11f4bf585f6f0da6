/**
 * Decode + signature check + certificate parsing of a reference-shaped ITL and of a 39-record CTL, as a
 * ratio to the floor measured in the same run: what any decoder must do — hash the file, one signature verify,
 * hash each embedded certificate. Goal: at most 2x the floor. Node's X509Certificate over each certificate (the
 * former floor, which costs more than the project's own DER reader) is reported as an informative line.
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { buildTrustList, decodeTrustList, verifyTrustList, RecordSpec, signedBytes, recordPublicKey, findSigner, clearPublicKeyCache } from '../server/src/core/tlv';
import { decodeCertificate } from '../server/src/core/cert/decodeCertificate';
import { loadFixtureKeys } from '../server/src/lab/cluster/clusterKeys';
import { makeCluster, selfSigned, SERVER_EXTENSIONS } from '../server/src/lab/cluster/referenceCluster';
import { referenceItlOptions } from '../server/src/lab/cluster/referenceCluster';
import { BenchResult } from './types';
import { compareToFloor } from './timing';
import * as path from 'node:path';

/** A cold decode: the signer-key cache is emptied first, so every run parses the signer's certificate as the floor does. */
function fullDecode(bytes: Buffer): number {
  clearPublicKeyCache();
  const list = decodeTrustList(bytes);
  const check = verifyTrustList(bytes, list);
  let n = check.status === 'valid' ? 1 : 0;
  for (const r of list.records) if (r.certificate && decodeCertificate(r.certificate).ok) n++;
  return n;
}

function floorFor(bytes: Buffer, x509 = false) {
  const list = decodeTrustList(bytes);
  const signer = findSigner(list)!;
  const key = recordPublicKey(signer)!;
  const data = signedBytes(bytes, list)!;
  const sig = list.header.signature!.raw;
  const hashName = list.header.hashAlgorithm === 3 ? 'sha512' : 'sha1';
  const certs = list.records.filter((r) => r.certificate).map((r) => r.certificate!);
  return () => {
    createHash(hashName).update(bytes).digest();
    verify(hashName, data, key, sig);
    for (const c of certs) createHash('sha1').update(c).digest();
    if (x509) for (const c of certs) new X509Certificate(c);
  };
}

export async function runTlvBench(): Promise<BenchResult[]> {
  const keys = loadFixtureKeys(path.join(__dirname, '..', '..', 'test-fixtures', 'keys'));
  const now = new Date();
  const cluster = makeCluster(now, keys);
  const itl = buildTrustList(referenceItlOptions(cluster, now));
  const records: RecordSpec[] = [{ role: 0, certificate: cluster.itlRecovery.der }];
  const rsaKeys = [keys['tvs-pub'], keys['tvs-sub'], keys['callmanager-pub'], keys['cert-rsa']];
  for (let i = 1; i < 39; i++) {
    const der = selfSigned({ cn: `ccm${String(i).padStart(2, '0')}`, key: rsaKeys[i % rsaKeys.length], now, notBeforeDays: -10, notAfterDays: 1000, extensions: SERVER_EXTENSIONS });
    records.push({ role: i % 3 === 0 ? 3 : 2, certificate: der, dnsName: `ccm${i}.example`, ipAddress: `10.0.0.${i}` });
  }
  const ctl = buildTrustList({ signerCertificate: cluster.itlRecovery.der, signerKey: keys.itlrecovery, records, filename: 'CTLFile.tlv', timestamp: now });
  if (fullDecode(itl) !== 5 || fullDecode(ctl) !== 40) throw new Error('benchmark inputs do not decode cleanly');
  const out: BenchResult[] = [];
  for (const [name, bytes, iterations] of [
    ['reference ITL (7 records)', itl, 200],
    ['CTL (39 records)', ctl, 40],
  ] as const) {
    const r = compareToFloor(floorFor(bytes), () => fullDecode(bytes), iterations);
    out.push({ name: `decode+verify+certs: ${name}, ${bytes.length} bytes`, value: r.subjectMs, unit: 'ms', ratio: r.ratio, goal: 'ratio <= 2.0 (floor: hash + 1 verify + hash per cert)' });
    out.push({ name: `  floor: ${name}`, value: r.floorMs, unit: 'ms' });
    const x = compareToFloor(floorFor(bytes, true), () => fullDecode(bytes), iterations);
    out.push({ name: `  informative: ratio to floor + X509Certificate per cert`, value: x.floorMs, unit: 'ms', ratio: x.ratio });
  }
  return out;
}
