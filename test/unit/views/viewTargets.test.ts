import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { HeaderTag, RecordTag } from '../../../server/src/core/tlv/tags';
import { findElement } from '../../../server/src/core/tlv/model';
import { recordTarget, headerTarget, summaryTarget } from '../../../server/src/rules/targets';
import { renderFileView } from '../../../server/src/views/renderFile';
import { lineForTarget, lineSpan } from '../../../server/src/views/viewTargets';
import { decodeWorkspaceFile } from '../../../server/src/workspace/decodeFile';
import { DecodedCertificateFile, DecodedTrustList } from '../../../server/src/workspace/indexedFile';
import { fixturePath, TEST_NOW } from '../../helpers/fixtures';

function load(rel: string) {
  const p = fixturePath(rel);
  const file = decodeWorkspaceFile({ uri: `file://${p}`, path: p, name: p, bytes: fs.readFileSync(p) })!;
  return { file, view: renderFileView(file, { fileName: rel, now: TEST_NOW }) };
}

describe('view targets: where a diagnostic lands in a decoded view', () => {
  const { file, view } = load('cluster/ITLFile.tlv');
  const itl = file as DecodedTrustList;
  const text = (line: number) => view.lines[line].text;

  it('a header element lands on its own line', () => {
    assert.match(text(lineForTarget(view, headerTarget(itl.list, HeaderTag.SIGNATURE))), /^179\s+12\s+SIGNATURE\s+256/);
    assert.match(text(lineForTarget(view, headerTarget(itl.list, HeaderTag.SERIAL_NUMBER))), /^\d+\s+5\s+SERIALNUMBER/);
  });

  it('a record element lands in its record, not in another record with the same tag', () => {
    const capf = itl.list.records[0];
    const line = lineForTarget(view, recordTarget(capf, RecordTag.CERT_HASH));
    assert.match(text(line), /^1160\s+11\s+CERTHASH/);
    assert.equal(view.lines[line].section, 1);
    const ec = itl.list.records[6];
    const pk = lineForTarget(view, recordTarget(ec, RecordTag.PUBLIC_KEY));
    assert.equal(view.lines[pk].section, 7);
    assert.match(text(pk), /PUBLICKEY\s+97\s+EC P-384/);
  });

  it('summary targets land on the summary line; a byte range inside an element on that element', () => {
    assert.match(text(lineForTarget(view, summaryTarget(itl.list))), /^Length of ITL file: \d+ bytes, 7 records/);
    const cert = findElement(itl.list.records[2].elements, RecordTag.CERTIFICATE)!;
    const inside = lineForTarget(view, { in: 'trust-list', range: { start: cert.valueOffset + 10, end: cert.valueOffset + 11 } });
    assert.match(text(inside), /CERTIFICATE\s+\d+/);
    assert.equal(view.lines[inside].section, 3);
  });

  it('a decoder problem lands on the element it is about', () => {
    const broken = load('malformed/bad-record-length.tlv');
    const list = (broken.file as DecodedTrustList).list;
    const line = lineForTarget(broken.view, { in: 'trust-list', range: list.problems[0].range });
    assert.match(broken.view.lines[line].text, /^460\s+1\s+RECORDLENGTH/);
  });

  it('certificate targets land on the field line of the right certificate in a bundle', () => {
    const bundle = load('certs/bundle.pem');
    const certs = bundle.file as DecodedCertificateFile;
    assert.equal(certs.certificates.length, 2);
    const validity = lineForTarget(bundle.view, { in: 'certificate', entry: 1, field: 'validity' });
    assert.match(bundle.view.lines[validity].text, /^\s+Validity:/);
    assert.equal(bundle.view.lines[validity].section, 2);
    const basic = lineForTarget(bundle.view, { in: 'certificate', entry: 0, field: 'extensions.basicConstraints' });
    assert.match(bundle.view.lines[basic].text, /basicConstraints \(critical\)\s+CA:FALSE/);
    const whole = lineForTarget(bundle.view, { in: 'certificate', entry: 1 });
    assert.match(bundle.view.lines[whole].text, /^Certificate #2: CN=Lab Root CA/);
  });

  it('underlines a line from its first non-blank character', () => {
    const note = view.lines.findIndex((l) => l.kind === 'note');
    const span = lineSpan(view, note);
    assert.equal(text(note).slice(span.start, span.start + 1), ';');
    assert.equal(span.end, text(note).length);
  });
});
