#!/usr/bin/env node
'use strict';
// The ITL Lens end-to-end suite in a real VS Code (code-server 4.100.3 + chromium, see README.md): the
// packaged .vsix is installed, the fixture workspace is open, and every check works the workbench the way a
// person does (Explorer clicks, the keyboard, hovers, F12, the Outline and Problems views) and reads what the
// page shows.
//
//   node test/e2e/itlLens.e2e.js [--vsix=FILE.vsix] [--workspace=DIR]
//
//   --vsix       default: $E2E_VSIX, else the newest itl-lens-*.vsix in the repo root
//   --workspace  default: $E2E_WORKSPACE, else a fresh `node dist/cli.js fixtures` in .cache/e2e/itl-lens-e2e/test-fixtures
//
// Writes the README pictures to test/e2e/screenshots/ (itl-view, hover-role, problems, definition,
// certificate-view) and, for each failed check, test/e2e/screenshots-tmp/FAIL-<check>.png.
// Last line: "N passed, N failed"; exit code 0 only if every check passed.
// E2E_KEEP=1 keeps the code-server run folder (logs); it is kept anyway after a failure.
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { startCodeServer, ROOT } = require('./lib/codeServer');
const b = require('./lib/browser');
const { createChecks } = require('./lib/checks');

const SHOTS = path.join(__dirname, 'screenshots');
const FAIL_SHOTS = path.join(__dirname, 'screenshots-tmp');
const HARD_TIMEOUT_MS = Number(process.env.E2E_SUITE_TIMEOUT_MS) || 540000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------- options
function parseArgs(argv) {
  const opt = { vsix: process.env.E2E_VSIX, workspace: process.env.E2E_WORKSPACE };
  for (const arg of argv) {
    const m = /^--(vsix|workspace)=(.+)$/.exec(arg);
    if (!m) { console.error(`unknown argument: ${arg}\nusage: itlLens.e2e.js [--vsix=FILE] [--workspace=DIR]`); process.exit(2); }
    opt[m[1]] = path.resolve(m[2]);
  }
  return opt;
}

function newestVsix() {
  const found = fs.readdirSync(ROOT).filter((f) => /^itl-lens-.*\.vsix$/.test(f))
    .map((f) => ({ f: path.join(ROOT, f), t: fs.statSync(path.join(ROOT, f)).mtimeMs })).sort((x, y) => y.t - x.t);
  return found.length ? found[0].f : null;
}

function makeWorkspace() {
  const ws = path.join(ROOT, '.cache', 'e2e', 'itl-lens-e2e', 'test-fixtures'); // the Explorer shows TEST-FIXTURES
  fs.rmSync(ws, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'fixtures', '-o', ws,
    '--keys', path.join(ROOT, 'test-fixtures', 'keys')], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 60000 });
  return ws;
}

// -------------------------------------------------------------------------------------- page helpers
const norm = (s) => (s || '').replace(/\u00a0/g, ' ');
const EDITOR = '.editor-group-container.active .monaco-editor';

/** Label, description, level and expanded state of every rendered Explorer row, top to bottom. */
// Tree rows, not the sticky-scroll copies of folder rows pinned at the top.
const EXPLORER_ROW = '.explorer-folders-view .monaco-list-row:not(.monaco-tree-sticky-row)';

function explorerRows(page) {
  return page.locator(EXPLORER_ROW).evaluateAll((els) => els
    .map((el) => ({
      top: parseFloat(el.style.top) || 0,
      label: ((el.querySelector('.label-name') || {}).textContent || '').replace(/\u00a0/g, ' ').trim(),
      level: Number(el.getAttribute('aria-level')) || 1,
      expanded: el.getAttribute('aria-expanded'),
      index: Number(el.getAttribute('data-index')),
    })).sort((x, y) => x.top - y.top));
}

/**
 * Opens a workspace file from the Explorer tree as a person does: shows the Explorer, expands each folder
 * of relPath with a click and double-clicks the file (which opens it pinned, not as a preview).
 */
async function openFromExplorer(page, relPath, timeoutMs = 20000) {
  await b.runCommand(page, 'View: Show Explorer');
  await page.locator(EXPLORER_ROW).first().waitFor({ state: 'visible', timeout: timeoutMs });
  const parts = relPath.split('/');
  let parent = null; // data-index of the folder row expanded last
  for (let depth = 0; depth < parts.length; depth++) {
    const name = parts[depth];
    const isFile = depth === parts.length - 1;
    const deadline = Date.now() + timeoutMs;
    // Only the rows in view are rendered. Rows seen while scrolling are remembered by their data-index (the
    // position in the whole tree) so that a row is matched under its own folder even when that folder's row
    // is scrolled out of view; other folders may be expanded too and hold the same names.
    let seen = new Map();
    let scrolls = 0;
    let hit;
    for (;;) {
      const rows = await explorerRows(page);
      for (const r of rows) seen.set(r.index, r);
      hit = undefined;
      if (parent === null) {
        hit = [...seen.values()].find((r) => r.level === 1 && r.label === name);
      } else {
        for (let i = parent + 1; seen.has(i); i++) {
          const r = seen.get(i);
          if (r.level <= depth) break; // past the folder's children
          if (r.level === depth + 1 && r.label === name) { hit = r; break; }
        }
      }
      if (hit && rows.some((r) => r.index === hit.index)) break;
      if (Date.now() > deadline) {
        throw new Error(`Explorer shows no row "${name}" at level ${depth + 1}${parent === null ? '' : ` under ${parts.slice(0, depth).join('/')}`} (rows in view: ${rows.map((r) => `${r.level}:${r.label}`).join(', ')})`);
      }
      const tree = await page.locator('.explorer-folders-view .monaco-list').first().boundingBox();
      if (tree) {
        const first = rows.length ? rows[0].index : 0;
        let dy;
        if (hit) dy = hit.index < first ? -(tree.height / 2) : tree.height / 2; // seen before: scroll back to it
        else if (scrolls === 0) dy = -100000; // from the top ...
        else dy = Math.max(tree.height - 44, 66); // ... a page at a time
        await page.mouse.move(tree.x + tree.width / 2, tree.y + Math.min(tree.height / 2, 100));
        await page.mouse.wheel(0, dy);
        scrolls = (scrolls + 1) % 15;
        if (scrolls === 0) seen = new Map(); // start over now and then: folders may load late
      }
      await sleep(200);
    }
    const loc = page.locator(`${EXPLORER_ROW}[data-index="${hit.index}"]`);
    await loc.scrollIntoViewIfNeeded();
    parent = hit.index;
    if (isFile) {
      await loc.dblclick();
    } else if (hit.expanded !== 'true') {
      await loc.click();
      await page.locator(`${EXPLORER_ROW}[data-index="${hit.index}"][aria-expanded="true"]`)
        .waitFor({ timeout: timeoutMs });
    }
  }
}

/** Ctrl+P, types query, picks the row whose label is base and whose description contains dir. */
async function quickOpenPath(page, relPath, timeoutMs = 20000) {
  const base = path.posix.basename(relPath);
  const dir = path.posix.dirname(relPath);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible' });
  await box.fill(relPath);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').evaluateAll((els) => els.map((el) => ({
      label: ((el.querySelector('.label-name') || {}).textContent || '').replace(/\u00a0/g, ' ').trim(),
      description: ((el.querySelector('.label-description') || {}).textContent || '').replace(/\u00a0/g, ' ').trim(),
    })));
    const i = rows.findIndex((r) => r.label === base && (dir === '.' || r.description.split(/[\\/]/).includes(path.posix.basename(dir))));
    // the list may render again between reading it and clicking (results still arriving): read it again then
    if (i >= 0 && (await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').nth(i).click({ timeout: 2000 }).then(() => true, () => false))) return;
    if (Date.now() > deadline) throw new Error(`quick open shows no ${relPath} (rows: ${rows.map((r) => `${r.label} ${r.description}`).join(' | ')})`);
    await sleep(150);
  }
}

/** Labels of the editor tabs (all groups), and the active one. */
async function tabs(page) {
  const all = (await page.locator('.tabs-container .tab .label-name').allInnerTexts().catch(() => [])).map(norm);
  const active = norm(await page.locator('.editor-group-container.active .tabs-container .tab.active .label-name').first()
    .innerText({ timeout: 2000 }).catch(() => ''));
  return { all, active };
}

async function waitForActiveTab(page, label, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let t;
  for (;;) {
    t = await tabs(page);
    if (t.active === label) return t;
    if (Date.now() > deadline) throw new Error(`the active tab is "${t.active}", not "${label}" after ${timeoutMs} ms (tabs: ${t.all.join(', ')})`);
    await sleep(200);
  }
}

/** Polls the active editor's rendered text until re matches (returns it) or timeoutMs. */
async function waitForEditorText(page, re, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = await b.readEditorText(page).catch(() => '');
    if (re.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the active editor never showed ${re} within ${timeoutMs} ms; it shows:\n${text.slice(0, 600)}`);
    await sleep(200);
  }
}

/** The editor area's own messages (binary-file notice, errors), outside the text and the webviews. */
function editorAreaNotices(page) {
  return page.evaluate(() => [...document.querySelectorAll('.part.editor .monaco-editor-pane-placeholder, .part.editor .editor-placeholder, .part.editor .monaco-workbench-editor-placeholder')]
    .map((el) => el.innerText).join('\n'));
}

async function focusEditor(page) {
  await b.runCommand(page, 'View: Focus Active Editor Group');
  await sleep(100);
}

/** Rendered lines with their 1-based line numbers: Map(lineNumber -> text). */
function renderedLines(page) {
  return page.evaluate((sel) => {
    const ed = document.querySelector(sel);
    const out = [];
    if (!ed) return out;
    const nums = new Map();
    for (const d of ed.querySelectorAll('.margin-view-overlays > div')) {
      const n = d.querySelector('.line-numbers');
      if (n) nums.set(Math.round(parseFloat(d.style.top) || 0), Number(n.textContent.trim()));
    }
    for (const l of ed.querySelectorAll('.view-lines .view-line')) {
      const n = nums.get(Math.round(parseFloat(l.style.top) || 0));
      if (n) out.push([n, l.textContent.replace(/\u00a0/g, ' ')]);
    }
    return out;
  }, EDITOR);
}

/** The whole text of the active editor as a person sees it: Ctrl+Home, then Page Down to the end. */
async function readWholeEditor(page, maxPages = 40) {
  await focusEditor(page);
  await page.keyboard.press('Control+Home');
  await sleep(150);
  const lines = new Map();
  let unchanged = 0;
  for (let i = 0; i < maxPages && unchanged < 2; i++) {
    const before = lines.size;
    for (const [n, text] of await renderedLines(page)) lines.set(n, text);
    unchanged = lines.size === before ? unchanged + 1 : 0;
    await page.keyboard.press('PageDown');
    await sleep(120);
  }
  const max = Math.max(0, ...lines.keys());
  const out = [];
  for (let n = 1; n <= max; n++) out.push(lines.has(n) ? lines.get(n) : '');
  await page.keyboard.press('Control+Home');
  return out;
}

/** Ctrl+P ":N" moves the cursor to line N and reveals it in the middle of the editor. */
async function goToLine(page, n) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible' });
  await box.fill(`:${n}`);
  await sleep(150);
  await page.keyboard.press('Enter');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if ((await b.activeEditorInfo(page)).line === n) return;
    await sleep(100);
  }
  throw new Error(`could not move the cursor to line ${n}`);
}

/** Types text into the Problems panel's filter box ('' clears it). */
async function filterProblems(page, text) {
  await b.runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const box = page.locator('.part.panel .viewpane-filter input, .markers-panel-action-filter input').first();
  await box.waitFor({ state: 'visible', timeout: 10000 });
  await box.fill(text);
  await sleep(300);
}

/** Problems rows grouped by file: [{ file: row text, markers: [row text] }]. */
function groupProblems(rows) {
  const groups = [];
  for (const r of rows) {
    if (r.level === 1) groups.push({ file: r.text, markers: [] });
    else if (groups.length) groups[groups.length - 1].markers.push(`${r.ariaLabel} || ${r.text}`);
  }
  return groups;
}

/** Hides the bottom panel (Problems, Output) if it is open. */
async function hidePanel(page) {
  if (!(await page.locator('.part.panel').isVisible().catch(() => false))) return;
  for (const title of ['View: Hide Panel', 'View: Close Panel']) {
    try { await b.runCommand(page, title, 3000); break; } catch { /* try the next title */ }
  }
  await page.locator('.part.panel').waitFor({ state: 'hidden', timeout: 3000 }).catch(() => {});
}

/** Drags a sash (a split-view border) from (x, y) by (dx, dy), as a person resizing a view does. */
async function dragSash(page, x, y, dx, dy) {
  await page.mouse.move(x, y);
  await sleep(150); // sashes react on hover
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
  await page.mouse.move(x + dx, y + dy, { steps: 4 });
  await page.mouse.up();
  await sleep(200);
}

/**
 * Makes the side bar readable for the README pictures: wider (the Outline shows each record's DN), and the
 * Outline pane tall enough for the header + 7 records. Best effort: the checks do not depend on it.
 */
async function layoutSideBar(page, { width = 470, outlineTop = 520 } = {}) {
  const bar = await page.locator('.part.sidebar').boundingBox();
  if (!bar) return;
  const sashes = (sel) => page.locator(sel).evaluateAll((els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height };
  }));
  const edge = bar.x + bar.width;
  const v = (await sashes('.monaco-sash.vertical')).find((s) => Math.abs(s.x - edge) < 6 && s.h > 200);
  if (v && bar.width < width) await dragSash(page, v.x, bar.y + bar.height / 2, width - bar.width, 0);
  const outline = await page.evaluate(() => {
    const body = document.querySelector('.part.sidebar .outline-pane');
    const view = body && body.closest('.split-view-view');
    return view ? view.getBoundingClientRect().top : null;
  });
  if (outline == null) return;
  const h = (await sashes('.part.sidebar .monaco-sash.horizontal')).find((s) => Math.abs(s.y - outline) < 6);
  const now = await page.locator('.part.sidebar').boundingBox();
  if (h && outline > outlineTop) await dragSash(page, now.x + now.width / 2, h.y, 0, outlineTop - outline);
}

async function moveMouseAway(page) {
  await page.mouse.move(700, 880);
  await sleep(100);
}

// ------------------------------------------------------------------------------------------- the suite
async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const t = createChecks({ hardTimeoutMs: HARD_TIMEOUT_MS });
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(FAIL_SHOTS, { recursive: true });
  for (const f of fs.readdirSync(FAIL_SHOTS)) if (/^FAIL-.*\.png$/.test(f)) fs.rmSync(path.join(FAIL_SHOTS, f));

  let page = null;
  const step = async (name, fn) => {
    let failed = false;
    const value = await t.check(name, async () => {
      try { return await fn(); } catch (e) { failed = true; throw e; }
    });
    if (failed && page) {
      const file = path.join(FAIL_SHOTS, `FAIL-${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 60)}.png`);
      await b.screenshot(page, file).then(() => console.log(`     screenshot: ${path.relative(ROOT, file)}`)).catch(() => {});
      await page.keyboard.press('Escape').catch(() => {});
    }
    return value;
  };

  const vsix = opt.vsix || newestVsix();
  const ws = await step('fixture workspace and .vsix are ready', async () => {
    assert.ok(vsix && fs.existsSync(vsix), `no .vsix: pass --vsix=FILE or run \`npm run package\` (looked for ${ROOT}/itl-lens-*.vsix)`);
    const w = opt.workspace || makeWorkspace();
    for (const f of ['cluster/ITLFile.tlv', 'cluster/CAPF.der', 'no-capf/ITLFile.tlv', 'capf-expired/CAPF.pem']) {
      assert.ok(fs.existsSync(path.join(w, f)), `the fixture workspace ${w} has no ${f}`);
    }
    console.log(`     vsix ${path.relative(ROOT, vsix) || vsix}, workspace ${w}`);
    return w;
  });
  if (!ws) return t.finish();

  const server = await step('code-server starts with the ITL Lens .vsix installed', async () => {
    const s = await startCodeServer({
      vsix, timeoutMs: HARD_TIMEOUT_MS + 20000,
      settings: {
        'outline.collapseItems': 'alwaysCollapse', // the Outline shows the records, one row each
        'editor.minimap.enabled': false,
        'workbench.editor.enablePreview': true,
        'explorer.autoReveal': true,
      },
    });
    assert.match(s.installed.join('\n'), /itl-lens/i, `install output: ${s.installed.join('\n')}`);
    console.log(`     ${s.baseUrl}, healthy after ${s.startMs} ms`);
    return s;
  });
  if (!server) return t.finish();

  const pageErrors = [];
  let br = null;
  try {
    br = await b.launchBrowser({
      viewport: { width: 1400, height: 900 },
      onConsole: (m) => { if (m.type() === 'error' && /itl[-_ ]?lens/i.test(m.text())) pageErrors.push(m.text()); },
    });
    page = br.page;
    await suite(t, step, page, server, ws);
  } finally {
    if (pageErrors.length) console.log(`     page errors naming ITL Lens:\n       ${pageErrors.slice(0, 10).join('\n       ')}`);
    if (br) await br.close();
    const keep = t.failed > 0 || process.env.E2E_KEEP === '1';
    if (keep) console.log(`     code-server run folder kept: ${path.relative(ROOT, server.runDir)} (code-server.log, user-data/logs)`);
    await server.stop({ keep });
  }
  return t.finish();
}

async function suite(t, step, page, server, ws) {
  const opened = await step('the workbench opens the fixture workspace', async () => {
    const ms = await b.openWorkbench(page, server.url(ws), 90000);
    const rows = (await explorerRows(page)).map((r) => r.label);
    assert.ok(rows.includes('cluster') && rows.includes('no-capf'), `Explorer rows: ${rows.join(', ')}`);
    console.log(`     workbench ready after ${ms} ms`);
    return true;
  });
  if (!opened) return;

  // 1. cluster/ITLFile.tlv from the Explorer shows the decoded view.
  let itl = null; // { lines, records: [{ n, line, role, cn }] }
  await step('1. ITLFile.tlv opened from the Explorer shows the decoded trust list (no binary notice)', async () => {
    await openFromExplorer(page, 'cluster/ITLFile.tlv');
    await waitForActiveTab(page, 'ITLFile.tlv.itlview', 60000);
    await waitForEditorText(page, /ITL File: (\S*\/)?cluster\/ITLFile\.tlv[^]*ITL Record #:1/, 30000);
    const notice = await editorAreaNotices(page);
    assert.ok(!/binary|unsupported text encoding/i.test(notice), `the editor area shows: ${notice}`);
    const lines = await readWholeEditor(page);
    const text = lines.join('\n');
    for (const want of ['ITL Record #:1', 'CAPF', 'This etoken was used to sign the ITL file', 'verified successfully']) {
      assert.ok(text.includes(want), `the decoded view does not show "${want}"; first lines:\n${lines.slice(0, 8).join('\n')}`);
    }
    assert.ok(!/is not displayed in the text editor because it is (either )?binary/i.test(text), 'binary-file notice in the editor');
    const records = [];
    lines.forEach((l, i) => {
      const m = /^ITL Record #:(\d+)\s+(\S+)\s+(.*\S)\s*$/.exec(l);
      if (m) records.push({ n: Number(m[1]), line: i + 1, role: m[2], cn: m[3] });
    });
    assert.strictEqual(records.length, 7, `the decoded view shows ${records.length} "ITL Record #:N" headings, not 7`);
    // The redirecting custom editor closes its own tab: no leftover "ITLFile.tlv" tab.
    const deadline = Date.now() + 10000;
    let all;
    do { ({ all } = await tabs(page)); if (!all.includes('ITLFile.tlv')) break; await sleep(200); } while (Date.now() < deadline);
    assert.ok(!all.includes('ITLFile.tlv'), `a tab "ITLFile.tlv" (the custom editor) stays open beside the view: ${all.join(', ')}`);
    itl = { lines, records };
    console.log(`     "${lines[0]}"`);
    console.log(`     ${lines.length} lines; records: ${records.map((r) => `#${r.n} ${r.role} ${r.cn}`).join(', ')}`);
  });

  // 2. The Outline lists the header and the 7 records.
  await step('2. the Outline lists the header and the 7 records by role and CN', async () => {
    assert.ok(itl, 'needs the decoded view from check 1');
    await waitForActiveTab(page, 'ITLFile.tlv.itlview', 5000);
    let rows = await b.readOutline(page);
    await layoutSideBar(page);
    const deadline = Date.now() + 30000;
    const recordRow = (r) => rows.find((o) => {
      const s = `${o.label} ${o.description}`;
      return s.includes(r.cn) && (s.includes(r.role) || new RegExp(`#:?${r.n}\\b`).test(s));
    });
    for (;;) {
      rows = await b.readOutline(page);
      if (rows.length >= 8 && itl.records.every(recordRow)) break;
      if (Date.now() > deadline) break;
      await sleep(500);
    }
    console.log(`     outline: ${rows.map((r) => `${r.level}:${r.label}${r.description ? ` [${r.description}]` : ''}`).join(' | ')}`);
    assert.ok(rows.length >= 8, `the Outline has ${rows.length} rows, expected the header + 7 records`);
    const missing = itl.records.filter((r) => !recordRow(r));
    assert.deepStrictEqual(missing.map((r) => `#${r.n} ${r.role} ${r.cn}`), [], 'records without an Outline row naming their role and CN');
    const recordLevels = new Set(itl.records.map((r) => recordRow(r).level));
    assert.strictEqual(recordLevels.size, 1, 'the 7 records are siblings in the Outline');
    const headerRow = rows.find((o) => o.level === [...recordLevels][0] && !itl.records.some((r) => recordRow(r) === o));
    assert.ok(headerRow, 'no header row beside the records in the Outline');
    // README picture: the decoded view from the top, Explorer (cluster expanded) and Outline in the side bar.
    await hidePanel(page);
    await focusEditor(page);
    await page.keyboard.press('Control+Home');
    await goToLine(page, itl.lines.findIndex((l) => !l.trim()) + 1); // an empty line: no word highlights
    await moveMouseAway(page);
    await sleep(300);
    await b.screenshot(page, path.join(SHOTS, 'itl-view.png'));
  });

  // 3. Hover on the CAPF record's FUNCTION line explains the role.
  await step('3. hover on the CAPF FUNCTION line explains the role', async () => {
    assert.ok(itl, 'needs the decoded view from check 1');
    const idx = itl.lines.findIndex((l) => /^\d+\s+4\s+FUNCTION\s+\d+\s+CAPF\s*$/.test(l));
    assert.ok(idx >= 0, 'the decoded view has no "FUNCTION ... CAPF" line');
    const lineText = itl.lines[idx];
    await goToLine(page, idx + 1);
    await moveMouseAway(page);
    let hover = '';
    for (const offset of [lineText.indexOf('FUNCTION') + 3, lineText.lastIndexOf('CAPF') + 1]) {
      hover = await b.hoverText(page, lineText, { offset, timeoutMs: 10000 });
      if (/Certificate Authority Proxy Function/i.test(hover)) break;
      await moveMouseAway(page);
    }
    assert.match(hover, /Certificate Authority Proxy Function/i, `hover text on line ${idx + 1} ("${lineText}"): "${hover}"`);
    console.log(`     hover: ${hover.replace(/\s+/g, ' ').slice(0, 160)}`);
    await sleep(600); // let the hover finish fading in
    await b.screenshot(page, path.join(SHOTS, 'hover-role.png'));
    await moveMouseAway(page);
    await page.keyboard.press('Escape');
  });

  // 5. F12 on the header's SERIALNUMBER (or the "signed by" note) lands on the signing record #5.
  await step('5. go to definition on the header SERIALNUMBER lands on ITL Record #:5', async () => {
    assert.ok(itl, 'needs the decoded view from check 1');
    const firstRecord = itl.records[0].line;
    const signer = itl.records.find((r) => r.n === 5);
    const signerEnd = (itl.records.find((r) => r.n === 6) || { line: itl.lines.length + 1 }).line;
    const serialIdx = itl.lines.findIndex((l, i) => i + 1 < firstRecord && /\bSERIALNUMBER\s+\d+\s+[0-9A-F:]+\s*$/.test(l));
    const noteIdx = itl.lines.findIndex((l, i) => i + 1 < firstRecord && /signed by ITL Record #5/.test(l));
    assert.ok(serialIdx >= 0, 'no SERIALNUMBER line in the header');
    const tries = [];
    for (const [idx, re] of [[serialIdx, /[0-9A-F]{2}:[0-9A-F]{2}/], [noteIdx, /ITL Record #5/]]) {
      if (idx < 0) continue;
      const lineText = itl.lines[idx];
      await goToLine(page, idx + 1);
      const at = await b.goToDefinition(page, lineText, { offset: lineText.search(re) + 1, timeoutMs: 10000 });
      tries.push(`F12 on line ${idx + 1} ("${lineText.trim()}") -> ${at.title} Ln ${at.line}`);
      if (at.title === 'ITLFile.tlv.itlview' && at.line >= signer.line && at.line < signerEnd) {
        const visible = await b.readEditorText(page);
        assert.ok(visible.includes('ITL Record #:5'), '"ITL Record #:5" is not on screen after the jump');
        console.log(`     ${tries[tries.length - 1]} (record #5: lines ${signer.line}-${signerEnd - 1})`);
        await moveMouseAway(page);
        await b.screenshot(page, path.join(SHOTS, 'definition.png'));
        return;
      }
    }
    assert.fail(`no jump into ITL Record #:5 (lines ${signer.line}-${signerEnd - 1}):\n     ${tries.join('\n     ')}`);
  });

  // 4. Problems lists capf-missing for no-capf/ITLFile.tlv, a file nobody opened.
  await step('4. Problems lists capf-missing for no-capf/ITLFile.tlv (not opened)', async () => {
    await filterProblems(page, 'capf-missing');
    const has = (rows) => groupProblems(rows).some((g) => /ITLFile\.tlv/.test(g.file) && /no-capf/.test(g.file)
      && g.markers.some((m) => /capf-missing/.test(m)));
    const rows = await b.readProblems(page, { until: has, timeoutMs: 60000 });
    const groups = groupProblems(rows);
    assert.ok(has(rows), `the Problems panel (filter "capf-missing") shows: ${JSON.stringify(groups, null, 1).slice(0, 1500)}`);
    const g = groups.find((x) => /no-capf/.test(x.file));
    console.log(`     ${g.file}: ${g.markers[0].slice(0, 160)}`);
  });

  // 4b. A person then clicks the problem: it opens the decoded view of no-capf/ITLFile.tlv.
  await step('4b. clicking the capf-missing problem opens the decoded view of no-capf/ITLFile.tlv', async () => {
    await filterProblems(page, 'no-capf');
    const has = (rows) => groupProblems(rows).some((g) => /no-capf/.test(g.file) && g.markers.some((m) => /capf-missing/.test(m)));
    const rows = await b.readProblems(page, { until: has, timeoutMs: 15000 });
    // The first marker under the source file's row (not under a view's row, if the server lists one).
    let idx = -1;
    let inSource = false;
    rows.forEach((r, i) => {
      if (r.level === 1) inSource = /^ITLFile\.tlv\s*no-capf/.test(r.text);
      else if (idx < 0 && inSource && /capf-missing/.test(`${r.ariaLabel} ${r.text}`)) idx = i;
    });
    assert.ok(idx >= 0, `no capf-missing marker under no-capf/ITLFile.tlv: ${JSON.stringify(groupProblems(rows))}`);
    await page.locator('.markers-panel .monaco-list-row').nth(idx).click();
    await waitForActiveTab(page, 'ITLFile.tlv.itlview', 20000);
    const text = await waitForEditorText(page, /no-capf\/ITLFile\.tlv/, 20000);
    assert.ok(!/ITL Record #:\d+\s+CAPF\b/.test(text), 'the view that opened has a CAPF record: not no-capf/ITLFile.tlv');
    await moveMouseAway(page);
    await sleep(300);
    await b.screenshot(page, path.join(SHOTS, 'problems.png'));
    await filterProblems(page, '');
  });

  // 6a. A DER certificate from the Explorer opens decoded.
  await step('6a. cluster/CAPF.der opened from the Explorer shows the decoded certificate', async () => {
    await openFromExplorer(page, 'cluster/CAPF.der');
    await waitForActiveTab(page, 'CAPF.der.certview', 60000);
    const text = await waitForEditorText(page, /CN=CAPF-/, 30000);
    assert.match(text, /Certificate/, `the certificate view shows:\n${text.slice(0, 400)}`);
    const notice = await editorAreaNotices(page);
    assert.ok(!/binary|unsupported text encoding/i.test(notice), `the editor area shows: ${notice}`);
    console.log(`     ${text.split('\n').slice(0, 2).join(' / ')}`);
    await b.readOutline(page).catch(() => []);
    await hidePanel(page);
    await focusEditor(page);
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown'); // line 2 is empty: no word highlights
    await moveMouseAway(page);
    await sleep(300);
    await b.screenshot(page, path.join(SHOTS, 'certificate-view.png'));
  });

  // 6b. An expired CAPF PEM is flagged.
  await step('6b. capf-expired/CAPF.pem shows a cert-expired / capf-expired diagnostic', async () => {
    await quickOpenPath(page, 'capf-expired/CAPF.pem');
    await waitForActiveTab(page, 'CAPF.pem', 20000);
    await waitForEditorText(page, /-----BEGIN CERTIFICATE-----/, 20000);
    await filterProblems(page, 'expired');
    const has = (rows) => groupProblems(rows).some((g) => /CAPF\.pem/.test(g.file) && /capf-expired/.test(g.file)
      && g.markers.some((m) => /(cert|capf)-expired/.test(m)));
    const rows = await b.readProblems(page, { until: has, timeoutMs: 60000 });
    assert.ok(has(rows), `the Problems panel (filter "expired") shows: ${JSON.stringify(groupProblems(rows), null, 1).slice(0, 1500)}`);
    const g = groupProblems(rows).find((x) => /CAPF\.pem/.test(x.file) && /capf-expired/.test(x.file));
    console.log(`     ${g.file}: ${g.markers.find((m) => /expired/.test(m)).slice(0, 160)}`);
    await filterProblems(page, '');
    // And in the editor: a squiggle whose hover says so.
    await focusEditor(page);
    const squiggles = await page.locator(`${EDITOR} .squiggly-error, ${EDITOR} .squiggly-warning`).count();
    assert.ok(squiggles > 0, 'no error/warning squiggle in CAPF.pem');
  });

  // 7. The language status item and the log channel.
  await step('7. language status item and the "ITL Lens" output channel exist', async () => {
    await openFromExplorer(page, 'cluster/ITLFile.tlv');
    await waitForActiveTab(page, 'ITLFile.tlv.itlview', 30000);
    await focusEditor(page);
    await page.keyboard.press('Control+Home'); // the view from check 1 may still be scrolled down
    await waitForEditorText(page, /ITL File: (\S*\/)?cluster\/ITLFile\.tlv/, 10000);
    const status = page.locator('.part.statusbar [id="status.languageStatus"], .part.statusbar .language-status').first();
    await status.waitFor({ state: 'visible', timeout: 15000 });
    await status.click();
    const hover = page.locator('.monaco-hover:not(.hidden), .context-view .hover-language-status').first();
    await hover.waitFor({ state: 'visible', timeout: 10000 });
    const statusText = norm(await hover.innerText());
    await page.keyboard.press('Escape');
    assert.match(statusText, /trust list/i, `language status hover: "${statusText}"`);
    console.log(`     language status: ${statusText.replace(/\s+/g, ' ').slice(0, 120)}`);
    // Not a check: compare the workbench's problem counts with the server's own summary.
    const counts = norm(await page.locator('.part.statusbar [id="status.problems"]').first().innerText().catch(() => ''));
    console.log(`     note: status bar problem counts "${counts.replace(/\s+/g, ' ').trim()}" (errors, warnings in the Problems panel)`);
    await b.runCommand(page, 'Output: Show Output Channels...');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 10000 });
    const labels = (await rows.locator('.label-name').allInnerTexts()).map(norm);
    const i = labels.findIndex((l) => l.trim() === 'ITL Lens');
    assert.ok(i >= 0, `no "ITL Lens" output channel (channels: ${labels.join(', ')})`);
    await rows.nth(i).click();
    const out = page.locator('.part.panel .output-view .monaco-editor .view-lines');
    await out.waitFor({ state: 'visible', timeout: 10000 });
    const deadline = Date.now() + 3000; // the channel may well be empty at the info log level
    let outText = '';
    while (Date.now() < deadline && !outText.trim()) { outText = norm(await out.innerText()); await sleep(200); }
    console.log(`     ITL Lens output: ${outText.split('\n').filter(Boolean).slice(0, 2).join(' / ').slice(0, 160) || '(empty)'}`);
  });

  // 8. The one-click LSC install test from the command palette: a notification, and the LSC opens decoded.
  await step('8. "ITL Lens: Run LSC Install Test" installs an LSC and opens it in the certificate view', async () => {
    await hidePanel(page);
    await b.runCommand(page, 'View: Close All Editors');
    await b.runCommand(page, 'ITL Lens: Run LSC Install Test');
    const notes = await b.readNotifications(page, { until: /installed its LSC|LSC install failed/, timeoutMs: 90000 });
    const text = notes.join(' | ');
    assert.match(text, /the phone installed its LSC.*Upgrade Success/, `notifications: ${text}`);
    await waitForActiveTab(page, 'lsc.pem.certview', 30000);
    const view = await waitForEditorText(page, /CN=SEP001122334455/, 30000);
    assert.match(view, /Certificate #1/);
    await moveMouseAway(page);
    await sleep(300);
    await b.screenshot(page, path.join(SHOTS, 'lab-install.png'));
  });

  await step('9. "ITL Lens: Compare Trust Lists" opens the verdict and changes of two picked trust lists', async () => {
    await hidePanel(page);
    await b.runCommand(page, 'View: Close All Editors');
    await b.runCommand(page, 'ITL Lens: Compare Trust Lists');
    await b.pickQuickItem(page, 'trust/next/other-cluster/ITLFile.tlv');
    await b.pickQuickItem(page, 'trust/held-no-tvs/ITLFile.tlv');
    await waitForActiveTab(page, 'ITLFile.tlv.itlcompare', 30000);
    const view = await waitForEditorText(page, /ITL Lens trust-list comparison: rejected[^]*Changes \(\d+\)/, 30000);
    assert.match(view, /Phones hold: +trust\/held-no-tvs\/ITLFile\.tlv/);
    assert.match(view, /What to do:/);
    await moveMouseAway(page);
    await sleep(300);
    await b.screenshot(page, path.join(SHOTS, 'comparison.png'));
  });

  // 10. A signed configuration file opens decoded, and the Problems panel says phones ignore it.
  await step('10. SEP<MAC>.cnf.xml.sgn opens decoded; its foreign signer is in the Problems panel', async () => {
    await b.runCommand(page, 'View: Close All Editors');
    await quickOpenPath(page, 'trust/config/foreign-signer/SEP001122334455.cnf.xml.sgn');
    await waitForActiveTab(page, 'SEP001122334455.cnf.xml.sgn.itlview', 30000);
    // (the editor's text is what is on screen: the header and verdict, not the XML further down)
    const view = await waitForEditorText(page, /SGN File: [^]*Verdict: rejected \(signer-not-trusted\)/, 30000);
    assert.match(view, /ignore it and keep their old configuration/, `the signed file's view shows:\n${view.slice(0, 600)}`);
    const notice = await editorAreaNotices(page);
    assert.ok(!/binary|unsupported text encoding/i.test(notice), `the editor area shows: ${notice}`);
    await filterProblems(page, 'sgn-signer-untrusted');
    const has = (rows) => groupProblems(rows).some((g) => /SEP001122334455\.cnf\.xml\.sgn/.test(g.file) && /foreign-signer/.test(g.file) && g.markers.some((m) => /sgn-signer-untrusted/.test(m)));
    const rows = await b.readProblems(page, { until: has, timeoutMs: 60000 });
    assert.ok(has(rows), `the Problems panel (filter "sgn-signer-untrusted") shows: ${JSON.stringify(groupProblems(rows), null, 1).slice(0, 1500)}`);
    console.log(`     ${view.split('\n')[0]}`);
    await focusEditor(page);
    await page.keyboard.press('Control+Home');
    await moveMouseAway(page);
    await sleep(300);
    await b.screenshot(page, path.join(SHOTS, 'signed-file.png'));
    await filterProblems(page, '');
  });

  // 11. itlLens.trust.deployed: the ITL phones hold now; an update they would refuse is in the Problems panel.
  await step('11. with itlLens.trust.deployed, an ITL the phones would refuse gets trust-update-rejected', async () => {
    const settingsFile = path.join(ws, '.vscode', 'settings.json');
    const before = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
    const settings = before ? JSON.parse(before) : {};
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, 'itlLens.trust.deployed': 'trust/held-no-tvs/ITLFile.tlv' }, null, 2));
    try {
      await b.runCommand(page, 'View: Close All Editors');
      await quickOpenPath(page, 'trust/next/resigned-unknown-sast/ITLFile.tlv');
      await waitForActiveTab(page, 'ITLFile.tlv.itlview', 30000);
      await filterProblems(page, 'trust-update-rejected, **/resigned-unknown-sast/**');
      const has = (rows) => groupProblems(rows).some((g) => /ITLFile\.tlv/.test(g.file) && /resigned-unknown-sast/.test(g.file) && g.markers.some((m) => /trust-update-rejected/.test(m)));
      const rows = await b.readProblems(page, { until: has, timeoutMs: 60000 });
      assert.ok(has(rows), `the Problems panel (filter "trust-update-rejected") shows: ${JSON.stringify(groupProblems(rows), null, 1).slice(0, 1500)}`);
      const g = groupProblems(rows).find((x) => /resigned-unknown-sast/.test(x.file));
      console.log(`     ${g.file}: ${g.markers.find((m) => /trust-update-rejected/.test(m)).slice(0, 160)}`);
      await focusEditor(page);
      await page.keyboard.press('Control+Home');
      await moveMouseAway(page);
      await sleep(300);
      await b.screenshot(page, path.join(SHOTS, 'continuity.png'));
      await filterProblems(page, '');
    } finally {
      if (before === undefined) fs.rmSync(settingsFile, { force: true });
      else fs.writeFileSync(settingsFile, before);
    }
  });
}

if (require.main === module) {
  main().then((code) => process.exit(code), (e) => {
    console.error(e && e.stack || e);
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
}

module.exports = { openFromExplorer, quickOpenPath, readWholeEditor, goToLine, filterProblems, layoutSideBar, hidePanel };
