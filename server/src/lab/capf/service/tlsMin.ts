/**
 * The lowest TLS version the lab CAPF server accepts, as users name it (`itl-lens capf-server --tls-min`,
 * the setting itlLens.lab.tlsMin), and the TLS options it takes. 7900-series phones speak only TLS 1.0 on
 * port 3804; OpenSSL 3 (Node 20's) refuses TLS 1.0 and 1.1 handshakes at its default security level 1 ("no
 * suitable signature algorithm": their handshake signs with SHA-1/MD5), so below 1.2 the level is lowered
 * to 0, for every connection to that server.
 */
import type { SecureVersion } from 'node:tls';

export const TLS_MIN_VERSIONS = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2' } as const satisfies Record<string, SecureVersion>;
export type TlsMin = keyof typeof TLS_MIN_VERSIONS;
export const DEFAULT_TLS_MIN: SecureVersion = 'TLSv1.2';
/** The OpenSSL cipher string that lets TLS 1.0 and 1.1 negotiate on OpenSSL 3. */
export const LEGACY_TLS_CIPHERS = 'DEFAULT:@SECLEVEL=0';

/** '1.0' | '1.1' | '1.2' as Node's name for the version, or undefined for anything else. */
export function parseTlsMin(s: string | undefined): SecureVersion | undefined {
  return s !== undefined && Object.hasOwn(TLS_MIN_VERSIONS, s) ? TLS_MIN_VERSIONS[s as TlsMin] : undefined;
}

/** What to say about a value that is not one of the choices. */
export function tlsMinProblem(s: string): string {
  return `'${s}' is not a TLS version this server can require: ${Object.keys(TLS_MIN_VERSIONS).join(', ')}`;
}

export function isLegacyTls(min: SecureVersion): boolean {
  return min === 'TLSv1' || min === 'TLSv1.1';
}

/** minVersion, and below TLS 1.2 the lowered security level that lets such a handshake succeed. */
export function tlsVersionOptions(min: SecureVersion = DEFAULT_TLS_MIN): { minVersion: SecureVersion; ciphers?: string } {
  return isLegacyTls(min) ? { minVersion: min, ciphers: LEGACY_TLS_CIPHERS } : { minVersion: min };
}
