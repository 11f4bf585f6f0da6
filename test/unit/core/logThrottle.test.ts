import * as assert from 'node:assert/strict';
import { LogThrottle, heldNote } from '../../../server/src/core/net/logThrottle';

describe('core: log throttle', () => {
  it('lets a few lines a window through and reports how many it held back with the next one', () => {
    let t = 0;
    const throttle = new LogThrottle(3, 1000, () => t);
    const admitted = Array.from({ length: 10 }, () => throttle.admit());
    assert.deepEqual(admitted.slice(0, 3), [{ held: 0 }, { held: 0 }, { held: 0 }]);
    assert.deepEqual(admitted.slice(3), Array(7).fill(undefined));
    t = 999;
    assert.equal(throttle.admit(), undefined, 'still the same window');
    t = 1000;
    assert.deepEqual(throttle.admit(), { held: 8 }, 'a new window: the lines held back are counted once');
    assert.equal(throttle.takeHeld(), 0);
    throttle.admit();
    throttle.admit();
    assert.equal(throttle.admit(), undefined);
    assert.equal(throttle.takeHeld(), 1, 'what is still held when the server stops');
    assert.equal(throttle.takeHeld(), 0);
  });

  it('words the note', () => {
    assert.equal(heldNote(0, 'refusals'), '');
    assert.equal(heldNote(7, 'refusals'), '; 7 more refusals since the previous such line were not logged');
  });
});
