/**
 * Real VS Code: code-server with the vforklint .vsix installed, driven by Chromium
 * (playwright-core). Open a C file, see the finding in the Problems panel, apply a quick
 * fix from the Ctrl+. menu, see the finding disappear. Screenshots of every step go to
 * test-output/vscode/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildVsix, chromiumBinary, codeServerBinary, startCodeServer, type CodeServer } from './editors/code-server.js';
import { INPUTS, REPO, wants } from './editors/lsp-client.js';
import { analyze, applyEdits, type Fix } from '../rules/index.js';

const OUT = join(REPO, 'test-output', 'vscode');
const bin = codeServerBinary();
const chrome = chromiumBinary();
const skip = !bin
  ? 'code-server is not installed (run .ci/setup-editors.sh, which installs it into ~/.cache/vforklint-editors)'
  : !chrome
    ? 'chromium is not installed (apt-get install chromium)'
    : false;
if (skip) console.log(`# skipping the VS Code tests: ${skip}`);

// KNOWN FAILURE, tracked as todo (runs and reports, does not fail the suite): since the
// WebAssembly parser and the one configuration reader landed together, the .vsix's server
// publishes diagnostics to a stdio client but none reach code-server's Problems panel.
// Remove `todo` once fixed.
const todo = 'the .vsix server shows no diagnostics in code-server since the WebAssembly/config merge';

describe('VS Code (code-server + the .vsix)', { skip, todo, timeout: 420_000 }, () => {
  let home: string;
  let ws: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let step = 0;

  const shot = async (name: string) => {
    step++;
    await page.screenshot({ path: join(OUT, `${String(step).padStart(2, '0')}-${name}.png`) });
  };

  before(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'vforklint-code-server-'));
    ws = join(home, 'workspace');
    mkdirSync(ws);
    copyFileSync(join(REPO, 'fixtures', 'c', 'verify-raw-child-writes-global.c'), join(ws, 'global.c'));
    copyFileSync(join(INPUTS, 'split.c'), join(ws, 'split.c'));
    const vsix = buildVsix();
    server = await startCodeServer(bin!, home, ws, vsix, {});
    browser = await chromium.launch({ executablePath: chrome!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await page.waitForSelector('[id="status.problems"]', { timeout: 90_000 });
    await shot('workbench');
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function openFile(name: string) {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(name);
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`, { timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tab[aria-label*="${name}"]`, { timeout: 20_000 });
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20_000 });
    await page.click('.monaco-editor .view-lines');
  }

  async function problemRows(): Promise<string[]> {
    return page.$$eval('.markers-panel .monaco-list-row', (rows) => rows.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ')));
  }

  async function showProblems() {
    if (!(await page.$('.markers-panel'))) await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel', { timeout: 20_000 });
  }

  async function waitForProblems(what: string, check: (rows: string[]) => boolean, ms = 60_000): Promise<string[]> {
    const deadline = Date.now() + ms;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = await problemRows();
      if (check(rows)) return rows;
      await page.waitForTimeout(250);
    }
    throw new Error(`timed out waiting for ${what} in the Problems panel; rows: ${JSON.stringify(rows)}`);
  }

  async function gotoLine(line: number) {
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Home'); // first non-blank character: where the finding starts
  }

  /** Open the Ctrl+. menu; return its entries' texts. */
  async function quickFixMenu(): Promise<string[]> {
    await page.keyboard.press('Control+.');
    await page.waitForSelector('.action-widget .monaco-list-row.action', { timeout: 20_000 });
    await page.waitForTimeout(300);
    return page.$$eval('.action-widget .monaco-list-row.action', (rows) => rows.map((r) => r.textContent ?? ''));
  }

  /** Choose an entry with the keyboard (a pointer-block layer swallows clicks). */
  async function chooseAction(match: RegExp) {
    for (let i = 0; i < 30; i++) {
      const focused = await page.$eval('.action-widget .monaco-list-row.action.focused', (r) => r.textContent ?? '').catch(() => '');
      if (match.test(focused)) {
        await page.keyboard.press('Enter');
        return;
      }
      await page.keyboard.press('ArrowDown');
    }
    throw new Error(`no quick-fix entry matching ${match}`);
  }

  /**
   * Save, then read the file once code-server has written all of it: the tab can show as
   * clean before the write starts, and a read during the write sees only part of it. So
   * poll until the file holds exactly `expected` (20 s at most); on a timeout the last read
   * is returned, for the caller's assertion to show how it differs.
   */
  async function saveAndRead(name: string, expected: string): Promise<string> {
    await page.keyboard.press('Control+S');
    await page.waitForSelector(`.tab[aria-label*="${name}"]:not(.dirty)`, { timeout: 20_000 });
    const deadline = Date.now() + 20_000;
    let text = readFileSync(join(ws, name), 'utf8');
    while (text !== expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      text = readFileSync(join(ws, name), 'utf8');
    }
    return text;
  }

  /** The file's text after the core's fix of `kind` for the `rule` finding on `line` (what the quick fix applies). */
  function fixedText(name: string, rule: string, line: number, kind: Fix['kind']): string {
    const text = readFileSync(join(ws, name), 'utf8');
    const finding = analyze(text, 'c').findings.find((f) => f.rule === rule && f.range.start.line === line);
    const fix = finding?.fixes.find((x) => x.kind === kind);
    assert.ok(fix, `the core offers a ${kind} fix for ${name}:${line} ${rule}`);
    return applyEdits(text, fix.edits);
  }

  test('the finding appears in the Problems panel; "disable for this line" applies and it disappears', { todo }, async () => {
    await openFile('global.c');
    await showProblems();
    const rows = await waitForProblems('the child-writes-shared finding', (r) => r.some((x) => x.includes('child-writes-shared')));
    const line = Number(wants(readFileSync(join(ws, 'global.c'), 'utf8'))[0].split(':')[0]);
    assert.ok(rows.some((x) => /worker_started/.test(x) && x.includes(`[Ln ${line}, Col 3]`)), `row text: ${JSON.stringify(rows)}`);
    await shot('global-problems');
    const expected = fixedText('global.c', 'child-writes-shared', line, 'suppress');
    await gotoLine(line);
    const menu = await quickFixMenu();
    await shot('global-quick-fix-menu');
    assert.ok(menu.some((m) => m.includes('Disable child-writes-shared for this line')), `menu: ${JSON.stringify(menu)}`);
    await chooseAction(/Disable child-writes-shared for this line/);
    await waitForProblems('the finding to disappear', (r) => !r.some((x) => x.includes('child-writes-shared')));
    await shot('global-fixed');
    const text = await saveAndRead('global.c', expected);
    assert.equal(text, expected);
    assert.match(text, /\t\t\/\/ vforklint-disable-next-line child-writes-shared\n\t\tworker_started = 1;/);
  });

  test('the frame split quick fix applies and the parent-reuses-frame findings disappear', { todo }, async () => {
    await openFile('split.c');
    await showProblems();
    await waitForProblems('the parent-reuses-frame findings', (r) => r.filter((x) => x.includes('parent-reuses-frame')).length >= 2);
    await shot('split-problems');
    const expected = fixedText('split.c', 'parent-reuses-frame', 22, 'split');
    await gotoLine(22);
    const menu = await quickFixMenu();
    await shot('split-quick-fix-menu');
    const split = menu.find((m) => /split/i.test(m));
    assert.ok(split, `the quick-fix menu offers no frame split for split.c:22 (the core attached no 'split' fix to the finding); menu: ${JSON.stringify(menu)}`);
    await chooseAction(/split/i);
    await waitForProblems('the split to clear the findings', (r) => !r.some((x) => /parent-reuses-frame|child-returns/.test(x)));
    await shot('split-fixed');
    const text = await saveAndRead('split.c', expected);
    assert.equal(text, expected);
    assert.notEqual(text, readFileSync(join(INPUTS, 'split.c'), 'utf8'));
    assert.match(text, /static __attribute__\(\(noinline\)\) long run_tool_vfork\(/, 'the inner half of the split');
  });
});
