/**
 * Which files are trust lists and which are certificate files, by name: shared by the client (which files
 * open as decoded views) and the server. What a file holds when its name says nothing is classifyFile.ts.
 */

/** File extensions (lower case, no dot) of trust lists and of certificate files: the one list everything uses. */
export const TRUST_LIST_EXTENSIONS = ['tlv'] as const;
export const CERTIFICATE_EXTENSIONS = ['pem', 'crt', 'cer', 'der'] as const;
/** signed files: .sgn (also .cnf.xml.sgn, .enc.sgn) and .sha512 */
export const SIGNED_FILE_EXTENSIONS = ['sgn', 'sha512'] as const;

/** The text after the last dot of the name ("ITLFile.tlv" → "tlv", ".cer" → "cer"), lower case. */
function extensionOf(p: string): string {
  return /\.([^./\\]+)$/.exec(p)?.[1].toLowerCase() ?? '';
}

export function isTrustListPath(p: string): boolean {
  return (TRUST_LIST_EXTENSIONS as readonly string[]).includes(extensionOf(p));
}

export function isCertificateFilePath(p: string): boolean {
  return (CERTIFICATE_EXTENSIONS as readonly string[]).includes(extensionOf(p));
}

export function isSignedFilePath(p: string): boolean {
  return (SIGNED_FILE_EXTENSIONS as readonly string[]).includes(extensionOf(p));
}
