import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_CODES, RULE_CODES, RuleCode } from '../../../server/src/rules/codes';
import { REPO_ROOT } from '../../helpers/fixtures';

describe('docs/diagnostics.md', () => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'diagnostics.md'), 'utf8');
  const headings = [...text.matchAll(/^### (\S+)$/gm)].map((m) => m[1]);

  it('documents every code, once, and no other', () => {
    assert.deepEqual([...headings].sort(), [...ALL_CODES].sort());
  });

  it('states each rule code\'s default severity', () => {
    const word = { error: 'Error', warning: 'Warning', info: 'Information', hint: 'Hint' } as const;
    for (const code of Object.keys(RULE_CODES) as RuleCode[]) {
      const section = text.slice(text.indexOf(`### ${code}\n`));
      assert.match(section.split('\n')[1], new RegExp(`^\\*\\*${word[RULE_CODES[code]]}\\.\\*\\*`), code);
    }
  });
});
