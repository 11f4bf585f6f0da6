import * as assert from 'node:assert/strict';
import { escapeControls, escapeControlsInText, hasControls } from '../../../server/src/core/text/controlChars';

describe('core: control characters in printed text', () => {
  it('escapes C0, DEL and C1 (U+0080-U+009F) as \\uXXXX, and nothing else', () => {
    assert.equal(escapeControls('SEP\u001b[2J\u009b31m\u0085\u007f\u0000'), 'SEP\\u001b[2J\\u009b31m\\u0085\\u007f\\u0000');
    assert.equal(escapeControls('a\tb\nc\rd'), 'a\\u0009b\\u000ac\\u000dd');
    // the neighbours stay: space, tilde, U+00A0 (no-break space), letters beyond Latin-1
    assert.equal(escapeControls(' ~\u00a0é中'), ' ~\u00a0é中');
    for (let c = 0; c <= 0xa0; c++) {
      const control = c <= 0x1f || (c >= 0x7f && c <= 0x9f);
      assert.equal(escapeControls(String.fromCharCode(c)).length, control ? 6 : 1, `U+${c.toString(16)}`);
    }
  });

  it('tells whether there is anything to escape', () => {
    assert.equal(hasControls('SEP001122334455'), false);
    assert.equal(hasControls('é\u00a0'), false);
    assert.equal(hasControls('x\u0085'), true);
    assert.equal(hasControls('x\n'), true);
  });

  it('keeps the tabs and line feeds of multi-line text', () => {
    assert.equal(escapeControlsInText('one\ttwo\nthree\r\n\u009d0;title\u0007'), 'one\ttwo\nthree\\u000d\n\\u009d0;title\\u0007');
  });
});
