/**
 * A watch on the Language Server Protocol's base framing when the server runs over stdio: header lines
 * `Name: value` ending in an empty line, a decimal Content-Length, then that many bytes. vscode-jsonrpc's
 * reader does not recover from bytes that break the framing (a header without Content-Length, a length that
 * is not a number, text with no header end): it reports an error nobody sees, or waits, and the server never
 * answers again. This check reads the same bytes beside it and names the first fault, so that the server
 * can log it and exit with an error, and the client start it again (over IPC, as VS Code runs it, there is
 * no framing: each message arrives whole).
 */
const CRLF_CRLF = Buffer.from('\r\n\r\n');
/** Header sections are a line or two; a longer run without an end is not a header. */
export const MAX_HEADER_BYTES = 8192;

export class FramingCheck {
  private header: Buffer = Buffer.alloc(0);
  /** body bytes still to skip */
  private body = 0;
  private fault: string | undefined;

  /** Reads a chunk; returns the first framing fault seen (now or before), or undefined while all is well. */
  push(chunk: Buffer): string | undefined {
    let rest = chunk;
    while (!this.fault && rest.length) {
      if (this.body > 0) {
        const n = Math.min(this.body, rest.length);
        this.body -= n;
        rest = rest.subarray(n);
        continue;
      }
      this.header = this.header.length ? Buffer.concat([this.header, rest]) : rest;
      rest = Buffer.alloc(0);
      const end = this.header.indexOf(CRLF_CRLF);
      if (end < 0) {
        if (this.header.length > MAX_HEADER_BYTES) this.fault = `${this.header.length} bytes without the end of a message header`;
        break;
      }
      const problem = this.readHeader(this.header.subarray(0, end).toString('latin1'));
      if (problem) {
        this.fault = problem;
        break;
      }
      rest = this.header.subarray(end + CRLF_CRLF.length);
      this.header = Buffer.alloc(0);
    }
    return this.fault;
  }

  /** Sets the body length from a header section; returns its fault, if any. */
  private readHeader(text: string): string | undefined {
    let length: number | undefined;
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) return `a message header line without "Name: value": ${JSON.stringify(line.slice(0, 80))}`;
      if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
      const value = line.slice(colon + 1).trim();
      if (!/^\d{1,15}$/.test(value)) return `Content-Length ${JSON.stringify(value.slice(0, 80))} is not a number of bytes`;
      length = Number(value);
    }
    if (length === undefined) return `a message header without Content-Length: ${JSON.stringify(text.slice(0, 80))}`;
    this.body = length;
    return undefined;
  }
}

/**
 * Watches `input` (the server's stdin) and calls `onFault` once, with the fault, when its framing breaks.
 * The server's own reader keeps reading the same stream; this only listens.
 */
export function watchStdioFraming(input: NodeJS.ReadableStream, onFault: (fault: string) => void): void {
  const check = new FramingCheck();
  let reported = false;
  input.on('data', (chunk: Buffer | string) => {
    if (reported) return;
    const fault = check.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (fault) {
      reported = true;
      onFault(fault);
    }
  });
}
