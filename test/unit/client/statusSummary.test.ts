import * as assert from 'node:assert/strict';
import type { WorkspaceStatus } from '../../../server/src/shared/lspExtensions';
import { summarizeStatus } from '../../../client/src/status/statusSummary';

const status = (over: Partial<WorkspaceStatus>): WorkspaceStatus => ({
  trustLists: 0,
  certificates: 0,
  errors: 0,
  warnings: 0,
  filesWithErrors: [],
  indexing: false,
  ...over,
});

describe('client: workspace status summary', () => {
  it('names trust lists and errors first ("3 trust lists, 1 error")', () => {
    const s = summarizeStatus(status({ trustLists: 3, certificates: 2, errors: 1, warnings: 4 }));
    assert.equal(s.text, '3 trust lists, 1 error');
    assert.equal(s.detail, '2 certificates · 1 error · 4 warnings');
    assert.equal(s.level, 'error');
  });

  it('shows warnings when there are no errors, and singular nouns for one', () => {
    const s = summarizeStatus(status({ trustLists: 1, certificates: 1, warnings: 1 }));
    assert.equal(s.text, '1 trust list, 1 warning');
    assert.equal(s.detail, '1 certificate · 0 errors · 1 warning');
    assert.equal(s.level, 'warning');
  });

  it('says "no problems" on a clean workspace and marks indexing in the detail', () => {
    const s = summarizeStatus(status({ trustLists: 2, indexing: true }));
    assert.equal(s.text, '2 trust lists, no problems');
    assert.equal(s.detail, '0 certificates · 0 errors · 0 warnings · indexing…');
    assert.equal(s.level, 'ok');
  });

  it('shows how far a long index has got', () => {
    const s = summarizeStatus(status({ trustLists: 1200, indexing: true, progress: { done: 2400, total: 20000 } }));
    assert.equal(s.detail, '0 certificates · 0 errors · 0 warnings · indexing: 2,400 of 20,000 files read…');
  });
});
