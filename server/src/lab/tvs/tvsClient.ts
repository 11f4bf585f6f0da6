/**
 * A TVS client, as a phone asks its TVS about a certificate it cannot verify with its trust list: TLS to the
 * TVS, trusting only the given TVS certificates (the TVS records of the phone's ITL, compared by SHA-256 of
 * the presented certificate, not by chain or host name [I: the ITL holds the TVS certificate itself]), then
 * one VERIFY_REQUEST and its VERIFY_RESPONSE [F part F].
 */
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { encodeVerifyRequest, parseVerifyResponse, TVS_DEVICE_NAME, TvsFramer, VerifyResponse } from './tvsProtocol';
import { sha256Hex } from './tvsStore';

export interface TvsVerifyOptions {
  host: string;
  port: number;
  /** DER of the TVS certificates to trust (a TLS peer presenting any other is refused) */
  trusted: Buffer[];
  /**
   * Instead of (or beside) `trusted`: whether to trust the presented certificate, e.g. a phone matching it
   * against the hash-only TVS records of its ITL (CERTHASH or PUBLICKEY, as CUCM writes them).
   */
  trustPeer?: (der: Buffer) => boolean;
  /** `CP-<model>-SEP<MAC>`, e.g. CP-8841-SEP001122334455 */
  deviceName: string;
  /** DER of the certificate to ask about */
  certificate: Buffer;
  /** default 1, as tvsc */
  sessionId?: number;
  /** for the connection, handshake and answer together; default 10 s (tvsc's) */
  timeoutMs?: number;
}

export interface TvsVerifyResult extends VerifyResponse {
  /** SHA-256 of the certificate the TVS presented */
  serverCertificateSha256: string;
}

export class TvsClientError extends Error {}

export function tvsVerify(o: TvsVerifyOptions): Promise<TvsVerifyResult> {
  if (!TVS_DEVICE_NAME.test(o.deviceName)) return Promise.reject(new TvsClientError(`device name '${o.deviceName}' is not CP-<4 digits>-SEP<12 hex digits>`));
  const trusted = new Set(o.trusted.map(sha256Hex));
  if (trusted.size === 0 && !o.trustPeer) return Promise.reject(new TvsClientError('no TVS certificate to trust: the ITL has no TVS record'));
  const sessionId = o.sessionId ?? 1;
  return new Promise((resolve, reject) => {
    let done = false;
    let serverSha = '';
    const finish = (e: Error | undefined, r?: TvsVerifyResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (e) reject(e);
      else resolve(r!);
    };
    // the chain is not what the phone checks: the presented certificate must be one of `trusted`
    const socket = tls.connect({ host: o.host, port: o.port, rejectUnauthorized: false });
    const timer = setTimeout(() => finish(new TvsClientError(`no answer from the TVS at ${o.host}:${o.port} within ${o.timeoutMs ?? 10_000} ms`)), o.timeoutMs ?? 10_000);
    const framer = new TvsFramer();
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      const der = peer && 'raw' in peer ? peer.raw : undefined;
      serverSha = der ? sha256Hex(der) : '';
      if (!der || !(trusted.has(serverSha) || o.trustPeer?.(der))) {
        const who = der ? new X509Certificate(der).subject.split('\n').join(';') : 'no certificate';
        return finish(new TvsClientError(`the TVS at ${o.host}:${o.port} presented ${who} (SHA-256 ${serverSha || '-'}), which is not a trusted TVS certificate: the phone would not trust this TVS`));
      }
      socket.write(encodeVerifyRequest(sessionId, { deviceName: o.deviceName, certificate: o.certificate }));
    });
    socket.on('data', (chunk: Buffer) => {
      const out = framer.push(chunk);
      if (out.problem) return finish(new TvsClientError(`malformed answer from the TVS: ${out.problem}`));
      const m = out.messages[0];
      if (!m) return;
      const r = parseVerifyResponse(m);
      if (!r.ok) return finish(new TvsClientError(`malformed VERIFY_RESPONSE: ${r.problem}`));
      if (m.sessionId !== sessionId) return finish(new TvsClientError(`the TVS answered session ${m.sessionId} to session ${sessionId}`));
      finish(undefined, { ...r.value, serverCertificateSha256: serverSha });
    });
    socket.on('error', (e) => finish(new TvsClientError(`TVS connection to ${o.host}:${o.port} failed: ${e.message}`)));
    socket.on('close', () => finish(new TvsClientError(`the TVS at ${o.host}:${o.port} closed the connection without an answer`)));
  });
}
