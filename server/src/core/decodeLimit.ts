/**
 * The largest file the language server decodes (trust lists and certificate files alike). A larger file gets one
 * problem, `file-too-large-to-decode`, instead of a decode, so that no file keeps the server busy for more than
 * about 100 ms. The decoders are linear in their input; the slowest hostile input measured (a 1 MB PEM bundle of
 * real certificates, of which the first 300 are decoded) takes about 50 ms to decode, render and diagnose on the
 * 2-core development machine, the others 30 ms per MB or less (test/unit/fuzz/hostileInputs.ts), so 1 MB leaves
 * a margin of 2 for a loaded machine and the protocol's own work. Real trust lists are under 64 KB (phones refuse larger ones) and PEM
 * bundles a few hundred KB at most. The CLI and the decoders themselves have no such limit.
 */
export const EDITOR_MAX_DECODED_BYTES = 1024 * 1024;

/** The problem's message: the size, the limit, and what to do. */
export function tooLargeToDecodeMessage(size: number, limit: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `File too large to decode: ${n(size)} bytes, over the editor's limit of ${n(limit)} bytes, so ITL Lens does not decode or check it here. To see it whole, run \`itl-lens decode <file>\` (or \`itl-lens check <file>\`) in a terminal. Check that this is the file you meant: a trust list phones accept is under 64 KB; copy it again from the TFTP server, or download the certificate again from Cisco Unified OS Administration > Security > Certificate Management.`;
}
