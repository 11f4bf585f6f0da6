/** One spelling per file: file: URIs are canonicalised through their path, so client and server URIs compare equal. */
import { fileURLToPath, pathToFileURL } from 'node:url';

export function fileUri(fsPath: string): string {
  return pathToFileURL(fsPath).href;
}

/** The file-system path of a file: URI, or undefined for other schemes and malformed URIs. */
export function uriToPath(uri: string): string | undefined {
  if (!/^file:/i.test(uri)) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** The canonical form of a URI: file: URIs re-encoded from their path; other URIs unchanged. */
export function canonicalUri(uri: string): string {
  const p = uriToPath(uri);
  return p !== undefined ? fileUri(p) : uri;
}
