import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeWorkspaceFile } from '../../../server/src/workspace/decodeFile';
import { renderFileView } from '../../../server/src/views/renderFile';
import { findIndexedFiles } from '../../../server/src/workspace/scanFolders';
import { fixturePath, fixturesDir, KEYS_DIR, REPO_ROOT, TEST_NOW } from '../../helpers/fixtures';
import { readSignedFile, trustFilesIn } from '../../../server/src/trust/workspaceFiles';
import { signedFileVerdict } from '../../../server/src/trust/signedFileVerdict';
import { renderSignedFileView } from '../../../server/src/views/signedFileView';
import { decryptSignedFile } from '../../../server/src/core/sgn/decrypt';
import { loadFixtureKeys } from '../../../server/src/lab/cluster/clusterKeys';
import { Grammar, LiteTokenizer } from './textmateLite';

function grammar(name: string): LiteTokenizer {
  return new LiteTokenizer(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'syntaxes', name), 'utf8')) as Grammar);
}

function viewLines(rel: string): string[] {
  const p = fixturePath(rel);
  const file = decodeWorkspaceFile({ uri: `file://${p}`, path: p, name: p, bytes: fs.readFileSync(p) })!;
  return renderFileView(file, { fileName: rel, now: TEST_NOW }).text.split('\n');
}

const line = (lines: string[], re: RegExp) => {
  const l = lines.find((x) => re.test(x));
  if (!l) throw new Error(`no line matches ${re}`);
  return l;
};
const has = (scopes: string[], prefix: string) => scopes.some((s) => s.startsWith(prefix));

describe('grammar: itl-view', () => {
  const g = grammar('itl-view.tmLanguage.json');
  const itl = viewLines('cluster/ITLFile.tlv');

  it('compiles every pattern', () => {
    assert.ok(g.allRegexes().length >= 15);
  });

  it('scopes the title, the columns and the verdict', () => {
    assert.ok(has(g.scopesAt(itl[0], 'ITL File:'), 'markup.heading.title'));
    assert.ok(has(g.scopesAt(itl[0], 'cluster/ITLFile.tlv'), 'string.unquoted.filename'));
    assert.ok(has(g.scopesAt(line(itl, /^BYTEPOS/), 'BYTEPOS'), 'comment.line.columns'));
    assert.ok(has(g.scopesAt(line(itl, /^Verdict:/), 'Verdict'), 'markup.inserted.verdict.valid'));
    const tampered = viewLines('tampered/ITLFile.tlv');
    assert.ok(has(g.scopesAt(line(tampered, /^Verdict:/), 'Verdict'), 'markup.deleted.verdict.invalid'));
    assert.ok(has(g.scopesAt(tampered[tampered.length - 2], 'The signature'), 'markup.deleted.verdict.invalid'));
  });

  it('scopes the columns of an element line', () => {
    const l = line(itl, /^\d+\s+11\s+CERTHASH/);
    assert.ok(has(g.scopesAt(l, l.split(' ')[0]), 'constant.numeric.offset'));
    assert.ok(has(g.scopesAt(l, '11', l.indexOf(' ')), 'constant.numeric.tag'));
    assert.ok(has(g.scopesAt(l, 'CERTHASH'), 'entity.name.tag'));
    assert.ok(has(g.scopesAt(l, '20', l.indexOf('CERTHASH')), 'constant.numeric.length'));
    const value = l.slice(l.indexOf('20', l.indexOf('CERTHASH')) + 2).trim();
    assert.ok(has(g.scopesAt(l, value), 'constant.other.hex'));
  });

  it('keeps a tag name with a space whole, and scopes values', () => {
    const l = line(itl, /HASH ALGORITHM/);
    assert.ok(has(g.scopesAt(l, 'HASH'), 'entity.name.tag'));
    assert.ok(has(g.scopesAt(l, 'ALGORITHM'), 'entity.name.tag'));
    assert.ok(has(g.scopesAt(l, 'SHA1'), 'support.constant.algorithm'));
    const subject = line(itl, /SUBJECTNAME\s+\d+\s+CN=CAPF/);
    assert.ok(has(g.scopesAt(subject, 'CN='), 'variable.parameter.dn-attribute'));
    const fn = line(itl, /FUNCTION\s+2\s+CAPF/);
    assert.ok(has(g.scopesAt(fn, 'CAPF'), 'entity.name.type.role'));
  });

  it('reads PADDING (no length) without taking its value for a length', () => {
    const l = '453      13  PADDING                         0x0D';
    assert.ok(has(g.scopesAt(l, 'PADDING'), 'entity.name.tag'));
    assert.ok(!has(g.scopesAt(l, '0x0D'), 'constant.numeric.length'));
    assert.ok(has(g.scopesAt(l, '0x0D'), 'string.unquoted.value'));
  });

  it('scopes record titles, notes, signer lines and problems', () => {
    const title = line(itl, /^ITL Record #:1 /);
    assert.ok(has(g.scopesAt(title, 'ITL Record'), 'markup.heading.record'));
    assert.ok(has(g.scopesAt(title, 'CAPF'), 'entity.name.type.role'));
    assert.ok(has(g.scopesAt(title, 'CAPF-7f0ae8d7'), 'entity.name.section.cn'));
    assert.ok(has(g.scopesAt(line(itl, /^\s+; CAPF/), ';'), 'comment.line.semicolon'));
    assert.ok(has(g.scopesAt(line(itl, /^This etoken was used/), 'This'), 'markup.bold.signer'));
    assert.ok(has(g.scopesAt(line(itl, /^This etoken was not used/), 'This'), 'comment.line.signer'));
    const broken = viewLines('malformed/bad-record-length.tlv');
    const problem = line(broken, /^Problem \[/);
    assert.ok(has(g.scopesAt(problem, 'Problem'), 'invalid.illegal.problem'));
    assert.ok(has(g.scopesAt(problem, '[record-length-mismatch]'), 'constant.other.code'));
  });

  it('flags EXPIRED in certificate notes', () => {
    const expired = viewLines('ctl/CTLFile.tlv').map((l) => l.replace('expires', 'EXPIRED'));
    const note = line(expired, /; RSA 2048.*EXPIRED/);
    assert.ok(has(g.scopesAt(note, 'EXPIRED'), 'invalid.illegal.expired'));
  });

  it('gives every non-blank line of every trust-list view a scope', async () => {
    const files = (await findIndexedFiles(fixturesDir())).filter((f) => f.endsWith('.tlv'));
    assert.ok(files.length > 10);
    for (const f of files) {
      for (const l of viewLines(path.relative(fixturesDir(), f))) {
        if (!l.trim()) continue;
        const scopes = g.scopes(l);
        assert.ok(scopes[l.length - l.trimStart().length].length > 1, `unscoped line in ${f}: ${l}`);
      }
    }
  });
});

describe('grammar: itl-view on signed files (.sgn, .enc.sgn)', () => {
  const g = grammar('itl-view.tmLanguage.json');
  const signedViews = (): { file: string; lines: string[] }[] => {
    const key = loadFixtureKeys(KEYS_DIR)['phone-lsc'];
    const root = path.join(fixturesDir(), 'trust', 'config');
    return fs.readdirSync(root).flatMap((d) =>
      fs.readdirSync(path.join(root, d)).filter((n) => /\.sgn$/.test(n)).map((n) => {
        const src = readSignedFile(path.join(root, d, n));
        const v = signedFileVerdict(src, trustFilesIn(path.join(root, d)));
        const dec = src.file.kind === 'enc.sgn' ? decryptSignedFile(src.file, key) : undefined;
        const plaintext = dec?.ok ? dec.plaintext : undefined;
        return { file: `${d}/${n}`, lines: renderSignedFileView(src.file, { fileName: `${d}/${n}`, now: TEST_NOW, verdict: v.line, plaintext }).text.split('\n') };
      }),
    );
  };

  it('scopes the title, the verdicts, header elements and payload lines', () => {
    const views = signedViews();
    const good = views.find((v) => v.file === 'good/SEP001122334455.cnf.xml.sgn')!.lines;
    assert.ok(has(g.scopesAt(good[0], 'SGN File:'), 'markup.heading.title'));
    assert.ok(has(g.scopesAt(line(good, /^Verdict:/), 'Verdict'), 'markup.inserted.verdict.valid'));
    const bad = views.find((v) => v.file === 'foreign-signer/SEP001122334455.cnf.xml.sgn')!.lines;
    assert.ok(has(g.scopesAt(line(bad, /^Verdict:/), 'Verdict'), 'markup.deleted.verdict.invalid'));
    assert.ok(has(g.scopesAt(line(good, /SIGNERNAME/), 'SIGNERNAME'), 'entity.name.tag'));
    const xml = line(good, /\| +<phonePort>/);
    assert.ok(has(g.scopesAt(xml, xml.split(' ')[0]), 'constant.numeric.offset'));
    assert.ok(has(g.scopesAt(xml, 'phonePort'), 'entity.name.tag.xml'));
    assert.ok(has(g.scopesAt(line(good, /^SGN Payload:/), 'SGN Payload:'), 'markup.heading.record'));
    const enc = views.find((v) => v.file.endsWith('.enc.sgn'))!.lines;
    assert.ok(has(g.scopesAt(enc[0], 'ENC.SGN File:'), 'markup.heading.title'));
    assert.ok(has(g.scopesAt(line(enc, /ENCRYPTEDKEY/), 'ENCRYPTEDKEY'), 'entity.name.tag'));
  });

  it('gives every non-blank line of every signed-file view a scope', () => {
    const views = signedViews();
    assert.ok(views.length >= 9);
    for (const v of views) {
      for (const l of v.lines) {
        if (!l.trim()) continue;
        assert.ok(g.scopes(l)[l.length - l.trimStart().length].length > 1, `unscoped line in ${v.file}: ${l}`);
      }
    }
  });
});

describe('grammar: cert-view', () => {
  const g = grammar('cert-view.tmLanguage.json');
  const bundle = viewLines('certs/bundle.pem');

  it('compiles every pattern', () => {
    assert.ok(g.allRegexes().length >= 10);
  });

  it('scopes titles, sections and summary fields', () => {
    assert.ok(has(g.scopesAt(bundle[0], 'Certificate file:'), 'markup.heading.title'));
    const section = line(bundle, /^Certificate #2:/);
    assert.ok(has(g.scopesAt(section, 'Certificate #'), 'markup.heading.certificate'));
    assert.ok(has(g.scopesAt(section, 'CN=Lab Root CA'), 'entity.name.section.subject'));
    assert.ok(has(g.scopesAt(section, '(PEM lines'), 'comment.annotation'));
    const subject = line(bundle, /^\s{4}Subject:/);
    assert.ok(has(g.scopesAt(subject, 'Subject'), 'variable.other.property'));
    assert.ok(has(g.scopesAt(subject, 'CN='), 'variable.parameter.dn-attribute'));
    const sha1 = line(bundle, /^\s{4}SHA-1 Fingerprint:/);
    assert.ok(has(g.scopesAt(sha1, sha1.split(/:\s+/)[1].slice(0, 2)), 'constant.other.hex'));
  });

  it('scopes field lines, critical flags and expiry', () => {
    const basic = line(bundle, /basicConstraints \(critical\)/);
    assert.ok(has(g.scopesAt(basic, 'X509v3'), 'entity.name.tag.field'));
    assert.ok(has(g.scopesAt(basic, '(critical)'), 'keyword.other.critical'));
    const serial = line(bundle, /Serial Number/);
    assert.ok(has(g.scopesAt(serial, serial.trim().split(/\s+/)[0]), 'constant.numeric.offset'));
    const expired = viewLines('certs/expired.pem');
    assert.ok(has(g.scopesAt(line(expired, /Validity:/), 'EXPIRED'), 'invalid.illegal.expired'));
    const garbage = viewLines('certs/garbage.pem');
    assert.ok(has(g.scopesAt(line(garbage, /^Problem/), 'Problem'), 'invalid.illegal.problem'));
  });

  it('gives every non-blank line of every certificate view a scope', async () => {
    const files = (await findIndexedFiles(fixturesDir())).filter((f) => !f.endsWith('.tlv') && !f.includes(`${path.sep}keys${path.sep}`));
    for (const f of files) {
      for (const l of viewLines(path.relative(fixturesDir(), f))) {
        if (!l.trim()) continue;
        assert.ok(g.scopes(l)[l.length - l.trimStart().length].length > 1, `unscoped line in ${f}: ${l}`);
      }
    }
  });
});
