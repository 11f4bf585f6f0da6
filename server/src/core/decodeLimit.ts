/**
 * The largest file the file decoders read (trust lists and certificate files alike). Larger files get one
 * problem, `file-too-large-to-decode`, instead of a decode, so that no file keeps the language server busy
 * for long: at this size the slowest hostile input measured (docs/diagnostics.md#file-too-large-to-decode)
 * decodes, renders and is diagnosed in about 100 ms. Real trust lists are under 64 KB (phones refuse larger
 * ones) and PEM bundles a few hundred KB at most.
 */
export const MAX_DECODED_BYTES = 1024 * 1024;

/** The problem's message. */
export function tooLargeToDecodeMessage(size: number, limit: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `The file is too large to decode: ${n(size)} bytes, the limit is ${n(limit)}. ITL Lens decodes trust lists and certificate files up to ${n(limit)} bytes; a trust list phones accept is under 64 KB. Check that this is the file you meant (a trust list from the TFTP server, or a certificate downloaded from Cisco Unified OS Administration > Security > Certificate Management).`;
}
