/**
 * Reassembles CAPF messages from TCP/TLS chunks. A message may arrive split across chunks or several may
 * arrive in one chunk. The framer refuses a message larger than `maxMessageSize` as soon as its header is
 * seen, and refuses a wrong protocol id as soon as the first byte is seen. After an error it stays failed:
 * a byte stream cannot be resynchronised, so the connection must end.
 */
import { DEFAULT_MAX_MESSAGE_SIZE, HEADER_LENGTH, PROTOCOL_ID } from './constants';
import { CapfMessage, CodecError, decodeMessage } from './codec';

export interface FramedMessage {
  /** the exact bytes of the message, for traces */
  raw: Buffer;
  message: CapfMessage;
}

export interface FramerOutput {
  messages: FramedMessage[];
  error?: CodecError;
}

export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);
  private failure: CodecError | undefined;

  constructor(private readonly maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE) {
    if (maxMessageSize < HEADER_LENGTH) throw new RangeError(`maxMessageSize must be at least ${HEADER_LENGTH}`);
  }

  /** Bytes received but not yet part of a whole message. */
  get buffered(): number {
    return this.pending.length;
  }

  get failed(): CodecError | undefined {
    return this.failure;
  }

  push(chunk: Buffer): FramerOutput {
    if (this.failure) return { messages: [], error: this.failure };
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const messages: FramedMessage[] = [];
    for (;;) {
      const p = this.pending;
      if (p.length === 0) break;
      if (p[0] !== PROTOCOL_ID) {
        return this.fail(messages, { code: 'bad-protocol-id', message: `protocol id 0x${p[0].toString(16).padStart(2, '0')} is not 0x55: this is not a CAPF message`, offset: 0 });
      }
      if (p.length < HEADER_LENGTH) break;
      const total = HEADER_LENGTH + p.readUInt16BE(6);
      if (total > this.maxMessageSize) {
        return this.fail(messages, { code: 'message-too-large', message: `a ${total}-byte message exceeds the ${this.maxMessageSize}-byte limit`, offset: 6 });
      }
      if (p.length < total) break;
      const raw = p.subarray(0, total); // a view: the socket never reuses a chunk it has handed over
      this.pending = p.subarray(total);
      const decoded = decodeMessage(raw);
      if (!decoded.ok) return this.fail(messages, decoded.error);
      messages.push({ raw, message: decoded.value });
    }
    if (this.pending.length === 0) this.pending = Buffer.alloc(0);
    return { messages };
  }

  private fail(messages: FramedMessage[], error: CodecError): FramerOutput {
    this.failure = error;
    this.pending = Buffer.alloc(0);
    return { messages, error };
  }
}
