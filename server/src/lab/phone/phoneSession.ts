/**
 * The phone's half of one CAPF session, after TLS is up and the server certificate is trusted: answer
 * AUTH_REQ as configured, then do whatever the server asks (generate a key and store the LSC, hand over the
 * LSC for Troubleshoot, delete it) until END_SESSION.
 */
import { KeyObject } from 'node:crypto';
import { Clock } from '../../core/time/clock';
import { CapfMessage } from '../capf/protocol/codec';
import { CertType, Command, Reason, commandName } from '../capf/protocol/constants';
import {
  authResponse,
  deleteCertResponse,
  fetchCertResponse,
  keygenResponse,
  parseAuthRequest,
  parseCertificateMessage,
  parseKeygenRequest,
  parseReason,
  requestInProgress,
  storeCertResponse,
} from '../capf/protocol/messages';
import { signAuthData } from '../capf/protocol/signedData';
import { IssuedLscSummary } from '../model/issuedLsc';
import { CapfConnection } from './capfConnection';
import { describeSpec, keySpecOf } from '../model/keys';
import { PhoneKeyProvider } from './keyGeneration';
import { checkIssuedLsc, installedLsc, spkiOf } from './lscCheck';
import { Credential, PhoneIdentity, PhoneStore } from './phoneIdentity';

/** How the phone authenticates, from its configuration file's capfAuthMode. */
export type PhoneAuth = { mode: 'null' } | { mode: 'string'; value: string } | { mode: 'certificate'; precedence: 'LSC' | 'MIC' };

export interface PhoneSessionContext {
  identity: PhoneIdentity;
  auth: PhoneAuth;
  /** the CAPF certificate (DER) the phone trusted for this connection */
  capfDer: Buffer;
  keys: PhoneKeyProvider;
  store: PhoneStore;
  clock: Clock;
  responseTimeoutMs: number;
  /** false emulates a phone that cannot generate EC keys */
  supportsEc: boolean;
  note(text: string): void;
  status(text: 'keygen'): void;
}

export interface PhoneSessionResult {
  sessionId: number;
  endReason: number;
  /** what the server asked for */
  operation?: 'install' | 'fetch' | 'delete';
  /** the LSC the phone accepted and stored, with the summary of its check */
  installed?: { der: Buffer; summary: IssuedLscSummary };
  deleted?: boolean;
  /** a phone-side reason the operation could not complete */
  problem?: string;
}

export class PhoneProtocolError extends Error {}

export async function runPhoneSession(conn: CapfConnection, c: PhoneSessionContext): Promise<PhoneSessionResult> {
  const first = (await conn.next(c.responseTimeoutMs)).message;
  if (first.command !== Command.AUTH_REQ) throw new PhoneProtocolError(`the server opened with ${commandName(first.command)}, not AUTH_REQ`);
  const req = parseAuthRequest(first);
  if (!req.ok) throw new PhoneProtocolError(`malformed AUTH_REQ: ${req.error.message}`);
  const sessionId = first.sessionId;
  c.note(`session ${sessionId}: server speaks CAPF version ${req.value.version}`);
  conn.send(authResponse(sessionId, { deviceName: c.identity.name, password: c.auth.mode === 'string' ? c.auth.value : '', ...credentialFields(c) }));

  const result: PhoneSessionResult = { sessionId, endReason: -1 };
  let pendingKey: KeyObject | undefined;
  let keygenShown = false;
  for (;;) {
    const m: CapfMessage = (await conn.next(c.responseTimeoutMs)).message;
    if (m.sessionId !== sessionId) throw new PhoneProtocolError(`${commandName(m.command)} carries session id ${m.sessionId}, not ${sessionId}`);
    switch (m.command) {
      case Command.KEYGEN_REQ: {
        result.operation = 'install';
        const kr = parseKeygenRequest(m);
        if (!kr.ok) throw new PhoneProtocolError(`malformed KEYGEN_REQ: ${kr.error.message}`);
        if (!keygenShown) c.status('keygen');
        keygenShown = true;
        conn.holdWritesThisTurn();
        conn.send(requestInProgress(sessionId));
        if (kr.value.keyType === 'EC' && !c.supportsEc) {
          c.note(`cannot generate an ${describeSpec(keySpecOf(kr.value))} key: this phone has no EC support`);
          conn.send(keygenResponse(sessionId, { reason: Reason.INVALID_ELEMENT }));
          break;
        }
        try {
          pendingKey = await c.keys(kr.value);
        } catch (e) {
          c.note(`key generation failed: ${(e as Error).message}`);
          conn.send(keygenResponse(sessionId, { reason: Reason.INVALID_ELEMENT }));
          break;
        }
        c.note(`generated an ${describeSpec(keySpecOf(kr.value))} key`);
        conn.send(keygenResponse(sessionId, { publicKey: spkiOf(pendingKey) }));
        break;
      }
      case Command.STORE_CERT_REQ: {
        const parsed = parseCertificateMessage(m);
        if (!parsed.ok || !parsed.value.certificate) throw new PhoneProtocolError(`malformed STORE_CERT_REQ: ${parsed.ok ? 'no CERTIFICATE' : parsed.error.message}`);
        const refusal = pendingKey ? checkIssuedLsc(parsed.value.certificate.der, { key: pendingKey, capfDer: c.capfDer, deviceName: c.identity.name, now: c.clock() }) : 'no key was generated before STORE_CERT_REQ';
        if (refusal) {
          result.problem = refusal;
          c.note(`refused the LSC: ${refusal}`);
          conn.send(storeCertResponse(sessionId, Reason.INVALID_ELEMENT));
          break;
        }
        const lsc: Credential = { der: parsed.value.certificate.der, key: pendingKey as KeyObject };
        await c.store.saveLsc(lsc);
        result.installed = installedLsc(lsc.der);
        conn.send(storeCertResponse(sessionId, Reason.OK));
        break;
      }
      case Command.FETCH_CERT_REQ: {
        result.operation = 'fetch';
        const lsc = c.identity.lsc;
        c.note(lsc ? 'handing the LSC to the server (Troubleshoot)' : 'Troubleshoot: the phone holds no LSC');
        conn.send(lsc ? fetchCertResponse(sessionId, { certificate: { certType: CertType.LSC, der: lsc.der } }) : fetchCertResponse(sessionId, { reason: Reason.INVALID_ELEMENT }));
        break;
      }
      case Command.DELETE_CERT_REQ: {
        result.operation = 'delete';
        await c.store.deleteLsc();
        result.deleted = true;
        c.note(c.identity.lsc ? 'deleted the LSC' : 'delete requested: the phone holds no LSC');
        conn.send(deleteCertResponse(sessionId, Reason.OK));
        break;
      }
      case Command.END_SESSION: {
        const r = parseReason(m);
        if (!r.ok) throw new PhoneProtocolError(`malformed END_SESSION: ${r.error.message}`);
        result.endReason = r.value;
        return result;
      }
      default:
        throw new PhoneProtocolError(`unexpected ${commandName(m.command)} from the server`);
    }
  }
}

/** The credential fields of AUTH_RESP for "By Existing Certificate": LSC or MIC by precedence, signed. */
function credentialFields(c: PhoneSessionContext) {
  if (c.auth.mode !== 'certificate') return {};
  const { lsc, mic } = c.identity;
  const pick = c.auth.precedence === 'LSC' ? (lsc ? { cred: lsc, type: CertType.LSC } : mic && { cred: mic, type: CertType.MIC }) : mic ? { cred: mic, type: CertType.MIC } : lsc && { cred: lsc, type: CertType.LSC };
  if (!pick) {
    c.note('"By Existing Certificate" but the phone holds neither an LSC nor a MIC');
    return {};
  }
  c.note(`authenticating with its ${pick.type === CertType.LSC ? 'LSC' : 'MIC'}`);
  const sig = signAuthData(c.identity.name, pick.cred.der, pick.cred.key);
  return { certificate: { certType: pick.type, der: pick.cred.der }, signedData: sig.signedData, sha2SignedData: sig.sha2SignedData };
}
