/**
 * Real VS Code: code-server with the vforklint .vsix installed (into a temporary home with
 * no node_modules around it, so the extension has only what the .vsix carries), driven by
 * Chromium (playwright-core). Open a C file, see the finding in the Problems panel, apply a
 * quick fix from the Ctrl+. menu, see the finding disappear; open a `.h` header (C++ to VS
 * Code) and see its finding, while a `.hpp` with the same text stays unchecked; check that
 * the server process loaded no native module; change a closed helper in another file on
 * disk (as `git checkout` does) and see the forking file's finding follow, through the
 * file-change notifications VS Code sends for the server's watcher registration.
 * Screenshots of every step go to test-output/vscode/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildVsix, chromiumBinary, codeServerBinary, startCodeServer, type CodeServer } from './editors/code-server.js';
import { INPUTS, REPO, wants } from './editors/lsp-client.js';
import { analyze, applyEdits, initParsers, type Fix } from '../rules/index.js';

const OUT = join(REPO, 'test-output', 'vscode');
const bin = codeServerBinary();
const chrome = chromiumBinary();
const skip = !bin
  ? 'code-server is not installed (run .ci/setup-editors.sh, which installs it into ~/.cache/vforklint-editors)'
  : !chrome
    ? 'chromium is not installed (apt-get install chromium)'
    : false;
if (skip) console.log(`# skipping the VS Code tests: ${skip}`);

/** A header with a vfork hazard: `printf` in the child (line 8, column 3). */
const HEADER = '#include <stdio.h>\n#include <unistd.h>\n\nstatic inline int launch(char **argv)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tprintf("starting %s\\n", argv[0]);\n\t\texecv(argv[0], argv);\n\t\t_exit(127);\n\t}\n\treturn pid;\n}\n';

/**
 * A two-file project (its own root: a config file marks it): the child calls `count_child`,
 * defined in counter.c, which writes a global (a finding in spawner.c) or not.
 */
const SPAWNER = '#include <unistd.h>\n\nvoid count_child(void);\n\nint spawn_tool(char **argv)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tcount_child();\n\t\texecv(argv[0], argv);\n\t\t_exit(127);\n\t}\n\treturn pid;\n}\n';
const COUNTER_WRITES = 'int children_started;\n\nvoid count_child(void)\n{\n\tchildren_started++;\n}\n';
const COUNTER_QUIET = 'void count_child(void)\n{\n}\n';

/** Every file under `dir` (recursively). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Processes whose command line mentions `needle`, with their memory-mapped files (Linux /proc). */
function processesMentioning(needle: string): Array<{ pid: number; cmdline: string; exe: string; mapped: string[] }> {
  const found = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!cmdline.includes(needle)) continue;
      const mapped = [...new Set(readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').map((l) => l.split(/\s+/).slice(5).join(' ')).filter((p) => p.startsWith('/')))];
      found.push({ pid: Number(pid), cmdline, exe: realpathSync(`/proc/${pid}/exe`), mapped });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

describe('VS Code (code-server + the .vsix)', { skip, timeout: 480_000 }, () => {
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
    await initParsers(); // fixedText() runs the core here, as the server does
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'vforklint-code-server-'));
    ws = join(home, 'workspace');
    mkdirSync(ws);
    copyFileSync(join(REPO, 'fixtures', 'c', 'verify-raw-child-writes-global.c'), join(ws, 'global.c'));
    copyFileSync(join(INPUTS, 'split.c'), join(ws, 'split.c'));
    writeFileSync(join(ws, 'launch.h'), HEADER);
    writeFileSync(join(ws, 'launch.hpp'), HEADER);
    mkdirSync(join(ws, 'proj'));
    writeFileSync(join(ws, 'proj', '.vforklintrc.json'), '{}\n');
    writeFileSync(join(ws, 'proj', 'spawner.c'), SPAWNER);
    writeFileSync(join(ws, 'proj', 'counter.c'), COUNTER_WRITES);
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

  test('the finding appears in the Problems panel; "disable for this line" applies and it disappears', async () => {
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

  test('the frame split quick fix applies and the parent-reuses-frame findings disappear', async () => {
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

  test('a .h header (C++ to VS Code) is checked as C; a .hpp with the same text is not', async () => {
    await openFile('launch.h');
    const mode = await page.$eval('[id="status.editor.mode"]', (e) => e.textContent ?? '');
    assert.match(mode, /C\+\+/, 'VS Code opens a .h file as C++');
    await showProblems();
    const rows = await waitForProblems('the child-unsafe-call finding in launch.h', (r) => r.some((x) => x.includes('child-unsafe-call')));
    assert.ok(rows.some((x) => /printf/.test(x) && x.includes('[Ln 8, Col 3]')), `row text: ${JSON.stringify(rows)}`);
    await shot('header-problems');
    // The .hpp: same text, but C++ stays out. Its tab opens next to launch.h, whose finding
    // stays listed; give the server time to report, then no row may name the .hpp.
    await openFile('launch.hpp');
    await page.waitForTimeout(5000);
    const after = await problemRows();
    await shot('hpp-no-problems');
    assert.ok(!after.some((x) => x.includes('launch.hpp')), `rows: ${JSON.stringify(after)}`);
    assert.ok(after.some((x) => x.includes('launch.h') && !x.includes('launch.hpp')), `launch.h is still listed: ${JSON.stringify(after)}`);
  });

  test('a closed helper changed on disk (as git checkout would): the forking file\'s finding follows, the file untouched', async () => {
    const proj = join(ws, 'proj');
    const writes = (r: string[]) => r.some((x) => x.includes('child-writes-shared') && x.includes('children_started'));
    await openFile('spawner.c');
    await showProblems();
    const rows = await waitForProblems('the finding from the helper in counter.c', writes);
    assert.ok(rows.some((x) => x.includes('count_child') && x.includes('[Ln 9, Col 3]')), `row text: ${JSON.stringify(rows)}`);
    await shot('helper-writes');
    assert.equal(await page.$('.tab[aria-label*="counter.c"]'), null, 'counter.c is not open in the editor');

    // Rewritten in place, outside the editor: the helper no longer writes the global. The
    // server reads no disk on its own: only the file-change notifications VS Code sends for
    // the watchers the server registered (workspace/didChangeWatchedFiles) can update it.
    writeFileSync(join(proj, 'counter.c'), COUNTER_QUIET);
    await waitForProblems('the finding gone after counter.c changed on disk', (r) => !writes(r) && !r.some((x) => x.includes('count_child')));
    await shot('helper-quiet');

    // Replaced as git checkout replaces a file (deleted, then created): the finding is back.
    rmSync(join(proj, 'counter.c'));
    await page.waitForTimeout(500);
    writeFileSync(join(proj, 'counter.c'), COUNTER_WRITES);
    await waitForProblems('the finding back after counter.c was replaced', writes);
    await shot('helper-writes-again');

    assert.equal(await page.$('.tab[aria-label*="spawner.c"].dirty'), null, 'spawner.c was never edited');
    assert.equal(await page.$('.tab[aria-label*="counter.c"]'), null, 'counter.c was never opened');
  });

  test('no native module: none in the installed extension, none mapped by its running server', () => {
    const installed = join(home, 'extensions');
    const files = filesUnder(installed);
    assert.ok(files.some((f) => f.endsWith(join('dist', 'server', 'main.cjs'))), 'the extension is installed');
    assert.deepEqual(files.filter((f) => f.endsWith('.node')), []);
    const servers = processesMentioning(join('dist', 'server', 'main.cjs')).filter((p) => p.cmdline.includes(installed));
    assert.equal(servers.length, 1, `one vforklint server runs from the installed extension: ${JSON.stringify(servers.map((p) => p.cmdline))}`);
    assert.ok(servers[0]!.mapped.includes(servers[0]!.exe), `the maps list the executable ${servers[0]!.exe}`);
    assert.deepEqual(servers[0]!.mapped.filter((m) => m.endsWith('.node')), [], 'native modules mapped by the server');
  });
});
