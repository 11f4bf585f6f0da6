import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareTrustLists } from '../../../server/src/trust/compareTrustLists';
import { renderComparisonView } from '../../../server/src/views/comparisonView';
import { REPO_ROOT } from '../../helpers/fixtures';
import { download, held, list, scenarios } from '../trust/scenarios';
import { Grammar, LiteTokenizer } from './textmateLite';

const has = (scopes: string[], prefix: string) => scopes.some((s) => s.startsWith(prefix));

describe('views: the trust-list comparison view', () => {
  const s = scenarios();
  const compare = (heldBytes: Buffer, next: Buffer) => compareTrustLists({ itl: held(heldBytes) }, list(heldBytes), download(next) as never);
  const names = { heldName: 'deployed/ITLFile.tlv', newName: 'next/ITLFile.tlv' };

  it('names both files, the verdict, each change with its meaning, and the recovery', () => {
    const v = renderComparisonView(compare(s.heldItlWithoutTvs, s.otherClusterItl), names);
    assert.match(v.lines[0], /^ITL Lens trust-list comparison: rejected \(signer-not-trusted\)$/);
    assert.equal(v.lines[1], '  Phones hold:     deployed/ITLFile.tlv');
    assert.equal(v.lines[2], '  They download:   next/ITLFile.tlv');
    assert.ok(v.lines.some((l) => /^Verdict: rejected/.test(l)));
    assert.ok(v.lines.includes('What to do:'));
    assert.equal(v.text, v.lines.join('\n') + '\n');
    assert.deepEqual(v.sections.map((x) => x.kind), ['verdict', 'changes', 'recovery']);
    const changes = v.sections[1];
    assert.ok(changes.children!.length > 0);
    for (const c of changes.children!) assert.ok(v.lines[c.startLine].startsWith(`  ${c.name.split(' ')[0]}`), c.name);
  });

  it('anchors each file name and every record it names, on the side it belongs to', () => {
    const r = compare(s.itlSignedByRecovery, s.itlCapfRegenerated);
    const v = renderComparisonView(r, names);
    const text = (a: { line: number; start: number; end: number }) => v.lines[a.line].slice(a.start, a.end);
    assert.deepEqual(v.anchors.filter((a) => a.record === undefined).map((a) => [a.side, text(a)]), [['held', 'deployed/ITLFile.tlv'], ['new', 'next/ITLFile.tlv']]);
    const regenerated = v.anchors.filter((a) => a.record !== undefined);
    assert.deepEqual(regenerated.map((a) => a.side), ['held', 'new']);
    assert.equal(regenerated[0].record, r.changes[0].held!.index);
    assert.match(text(regenerated[0]), /^ITL record #\d+ \(CAPF /);
    assert.match(text(regenerated[1]), /^record #\d+ \(CAPF /);
    assert.match(v.lines[regenerated[0].line], /^  regenerated  ITL record .* -> record /);
  });

  it('an identical list: accepted, no changes and no recovery section', () => {
    const v = renderComparisonView(compare(s.heldItl, s.heldItl), names);
    assert.match(v.lines[0], /: accepted$/);
    assert.ok(v.lines.includes('Changes: none (the same records).'));
    assert.deepEqual(v.sections.map((x) => x.kind), ['verdict', 'changes']);
  });

  it('the grammar colours the verdict, the change kinds and the records', () => {
    const g = new LiteTokenizer(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'syntaxes', 'itl-compare.tmLanguage.json'), 'utf8')) as Grammar);
    assert.ok(g.allRegexes().length >= 10);
    const rejected = renderComparisonView(compare(s.heldItlWithoutTvs, s.otherClusterItl), names).lines;
    assert.ok(has(g.scopesAt(rejected[0], 'rejected'), 'invalid.illegal.rejected'));
    assert.ok(has(g.scopesAt(rejected[1], 'deployed/ITLFile.tlv'), 'string.unquoted.filename'));
    const accepted = renderComparisonView(compare(s.itlSignedByRecovery, s.itlCapfRegenerated), names).lines;
    assert.ok(has(g.scopesAt(accepted[0], 'accepted'), 'markup.inserted.accepted'));
    const change = accepted.find((l) => l.startsWith('  regenerated'))!;
    assert.ok(has(g.scopesAt(change, 'regenerated'), 'markup.changed.change'));
    assert.ok(has(g.scopesAt(change, 'ITL record #'), 'entity.name.tag.record'));
    assert.ok(has(g.scopesAt(change, '->'), 'keyword.operator.arrow'));
    const tvs = renderComparisonView(compare(s.heldItl, s.itlResignedUnknownSast), names).lines;
    assert.ok(has(g.scopesAt(tvs[0], 'accepted-via-tvs'), 'markup.changed.via-tvs'), tvs[0]);
  });
});
