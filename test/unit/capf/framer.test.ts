import * as assert from 'node:assert/strict';
import { Command, el, encodeMessage, MessageFramer } from '../../../server/src/lab/capf/protocol';
import { prng } from './helpers';

const messages = [
  encodeMessage({ command: Command.AUTH_REQ, sessionId: 5, elements: [el.u8(7, 3), el.u8(8, 0)] }),
  encodeMessage({ command: Command.REQUEST_IN_PROGRESS, sessionId: 5, elements: [] }),
  encodeMessage({ command: Command.KEYGEN_RESP, sessionId: 5, elements: [el.bytes(9, Buffer.alloc(294, 1))] }),
];
const stream = Buffer.concat(messages);

describe('capf: stream framer', () => {
  it('reassembles messages fed one byte at a time', () => {
    const f = new MessageFramer();
    const out = [];
    for (const b of stream) out.push(...f.push(Buffer.from([b])).messages);
    assert.deepEqual(out.map((m) => m.raw), messages);
    assert.equal(f.buffered, 0);
  });

  it('splits several messages from one chunk', () => {
    const out = new MessageFramer().push(stream);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.messages.map((m) => m.message.command), [Command.AUTH_REQ, Command.REQUEST_IN_PROGRESS, Command.KEYGEN_RESP]);
  });

  it('gives the same messages for any seeded chunking', () => {
    const r = prng(42);
    for (let round = 0; round < 200; round++) {
      const f = new MessageFramer();
      const got: Buffer[] = [];
      let at = 0;
      while (at < stream.length) {
        const n = 1 + r.int(80);
        got.push(...f.push(stream.subarray(at, at + n)).messages.map((m) => m.raw));
        at += n;
      }
      assert.deepEqual(got, messages);
    }
  });

  it('refuses an oversized message as soon as its header arrives', () => {
    const f = new MessageFramer(1024);
    const header = Buffer.from('5502000000050800', 'hex'); // announces a 2048-byte body
    const out = f.push(header);
    assert.equal(out.error?.code, 'message-too-large');
  });

  it('refuses a wrong protocol id at the first byte and stays failed', () => {
    const f = new MessageFramer();
    assert.equal(f.push(Buffer.from([0x16])).error?.code, 'bad-protocol-id');
    assert.equal(f.push(messages[0]).error?.code, 'bad-protocol-id');
    assert.equal(f.push(messages[0]).messages.length, 0);
  });

  it('delivers the good messages before a malformed one', () => {
    const bad = Buffer.from('5501000000050002' + '0700', 'hex'); // element header cut short
    const out = new MessageFramer().push(Buffer.concat([messages[0], bad]));
    assert.equal(out.messages.length, 1);
    assert.equal(out.error?.code, 'truncated-element');
  });

  it('keeps a partial message until the rest arrives', () => {
    const f = new MessageFramer();
    assert.equal(f.push(messages[2].subarray(0, 100)).messages.length, 0);
    assert.equal(f.buffered, 100);
    assert.equal(f.push(messages[2].subarray(100)).messages.length, 1);
  });
});
