/**
 * The documentation stays true (CONTRIBUTING.md, "The docs test"):
 * - README.md is at most 12 KB;
 * - no file tracked by git refers to a path outside the repository;
 * - every relative link in the repository's markdown resolves to a file (and heading);
 * - every example marked `<!-- doctest -->` runs and prints what it shows.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, describe, it, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '../..');
const CLI = resolve(here, '../cli/main.js');

const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && existsSync(join(REPO, f)) && statSync(join(REPO, f)).isFile());
const markdownFiles = tracked.filter((f) => f.endsWith('.md'));
const userDocs = markdownFiles.filter((f) => f === 'README.md' || f === 'CONTRIBUTING.md' || f.startsWith('docs/'));

test('README.md is a five-minute page: at most 12 KB', () => {
  const size = statSync(join(REPO, 'README.md')).size;
  assert.ok(size <= 12 * 1024, `README.md is ${size} bytes; move detail into docs/ or CONTRIBUTING.md`);
});

test('no tracked file refers to a path outside the repository', () => {
  // Built from parts so that this file does not match itself.
  const outside = [
    ['..', 'shared'].join('/'),
    ['RULES', 'md'].join('.'),
    ...['work', 'tmp', 'home', 'root', 'mnt', 'Users'].map((d) => `/${d}/`),
  ];
  const hits: string[] = [];
  for (const file of tracked) {
    const bytes = readFileSync(join(REPO, file));
    if (bytes.includes(0)) continue; // binary
    const lines = bytes.toString('utf8').split('\n');
    lines.forEach((line, i) => {
      for (const s of outside) if (line.includes(s)) hits.push(`${file}:${i + 1}: "${s}" in: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.deepEqual(hits, []);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

interface Block {
  info: string;
  body: string;
  line: number;
  /** The HTML comment right before the fence (blank lines between allowed), if any. */
  marker?: string;
}

/** Fenced blocks, headings' anchors and link targets (outside code) of one markdown text. */
function readMarkdown(text: string): { blocks: Block[]; anchors: Set<string>; links: { target: string; line: number }[] } {
  const blocks: Block[] = [];
  const anchors = new Set<string>();
  const links: { target: string; line: number }[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  let open: { fence: string; info: string; line: number; body: string[]; marker?: string } | undefined;
  let marker: string | undefined;
  lines.forEach((line, i) => {
    if (open) {
      if (line.trim() === open.fence) {
        blocks.push({ info: open.info, body: open.body.join('\n'), line: open.line, marker: open.marker });
        open = undefined;
      } else open.body.push(line);
      return;
    }
    const fence = /^\s*(```+|~~~+)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      open = { fence: fence[1], info: fence[2], line: i + 1, body: [], marker };
      marker = undefined;
      return;
    }
    const comment = /^\s*<!--\s*(doctest[^>]*?)\s*-->\s*$/.exec(line);
    if (comment) {
      marker = comment[1];
      return;
    }
    if (line.trim() !== '') marker = undefined;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ target: m[1], line: i + 1 });
  });
  assert.equal(open, undefined, `a code fence opened on line ${open?.line} is never closed`);
  return { blocks, anchors, links };
}

test('every relative link in the markdown resolves to a file (and a heading)', () => {
  const problems: string[] = [];
  for (const file of markdownFiles) {
    const { links, anchors } = readMarkdown(readFileSync(join(REPO, file), 'utf8'));
    for (const { target, line } of links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#', 2);
      const absolute = path === '' ? join(REPO, file) : resolve(REPO, dirname(file), decodeURIComponent(path));
      if (relative(REPO, absolute).startsWith('..')) {
        problems.push(`${file}:${line}: ${target} leaves the repository`);
        continue;
      }
      if (!existsSync(absolute)) {
        problems.push(`${file}:${line}: ${target}: no such file`);
        continue;
      }
      if (anchor && absolute.endsWith('.md')) {
        const targetAnchors = absolute === join(REPO, file) ? anchors : readMarkdown(readFileSync(absolute, 'utf8')).anchors;
        if (!targetAnchors.has(anchor)) problems.push(`${file}:${line}: ${target}: no heading with anchor #${anchor}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

/**
 * A shown output line matches a real one when its parts between `...` appear in it in
 * order (leading and trailing blanks of each part ignored).
 */
function lineShown(shown: string, actual: string[]): boolean {
  const parts = shown.split('...').map((p) => p.trim()).filter((p) => p !== '');
  return actual.some((line) => {
    let at = 0;
    for (const part of parts) {
      const found = line.indexOf(part, at);
      if (found < 0) return false;
      at = found + part.length;
    }
    return true;
  });
}

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** A scratch directory with a copy of examples/ and a `vforklint` on PATH that runs the built CLI. */
function scratch(): { cwd: string; bin: string } {
  const root = mkdtempSync(join(tmpdir(), 'vforklint-docs-'));
  tempDirs.push(root);
  const cwd = join(root, 'work');
  const bin = join(root, 'bin');
  mkdirSync(cwd);
  mkdirSync(bin);
  cpSync(join(REPO, 'examples'), join(cwd, 'examples'), { recursive: true });
  const shim = join(bin, 'vforklint');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(shim, 0o755);
  return { cwd, bin };
}

const doctests = userDocs.concat(markdownFiles.filter((f) => !userDocs.includes(f))).map((file) => ({
  file,
  blocks: readMarkdown(readFileSync(join(REPO, file), 'utf8')).blocks,
}));

test('the docs have command examples under test, the README among them', () => {
  const count = (f: string) => doctests.find((d) => d.file === f)?.blocks.filter((b) => b.marker?.startsWith('doctest ') || b.marker === 'doctest').length ?? 0;
  assert.ok(count('README.md') >= 1, 'README.md has a <!-- doctest --> example');
  const total = doctests.reduce((n, d) => n + count(d.file), 0);
  assert.ok(total >= 8, `only ${total} doctest examples found`);
});

for (const { file, blocks } of doctests) {
  if (!blocks.some((b) => b.marker)) continue;
  describe(`examples in ${file}`, () => {
    let dir: { cwd: string; bin: string } | undefined;
    blocks.forEach((block, index) => {
      const marker = block.marker;
      if (!marker) return;
      const fileMarker = /^doctest-file:\s*(\S+)$/.exec(marker);
      if (fileMarker) {
        it(`line ${block.line}: writes ${fileMarker[1]}`, () => {
          dir ??= scratch();
          const target = join(dir.cwd, fileMarker[1]);
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, block.body + '\n');
        });
        return;
      }
      const run = /^doctest(?:\s+exit=(\d+))?$/.exec(marker);
      it(`line ${block.line}: ${block.body.split('\n')[0]}`, () => {
        assert.ok(run, `${file}:${block.line}: unknown marker "${marker}" (use "doctest", "doctest exit=N" or "doctest-file: NAME")`);
        assert.equal(block.info, 'sh', `${file}:${block.line}: a doctest is a \`\`\`sh block`);
        const output = blocks[index + 1];
        assert.ok(output && !output.marker, `${file}:${block.line}: the doctest needs a fenced block of output after it`);
        dir ??= scratch();
        const script = block.body.replace(/\bnpx vforklint\b/g, 'vforklint');
        const result = spawnSync('sh', ['-c', `exec 2>&1\n${script}`], {
          cwd: dir.cwd,
          encoding: 'utf8',
          env: { ...process.env, PATH: `${dir.bin}:${process.env.PATH ?? ''}`, VFORKLINT_PROGRESS: '0' },
          timeout: 120_000,
        });
        const actual = result.stdout.split('\n');
        const missing = output.body
          .split('\n')
          .filter((l) => l.trim() !== '' && l.trim() !== '...')
          .filter((l) => !lineShown(l, actual));
        assert.deepEqual(missing, [], `${file}:${block.line}: shown lines not in the output of\n${script}\n--- output:\n${result.stdout}`);
        if (run?.[1] !== undefined) assert.equal(result.status, Number(run[1]), `${file}:${block.line}: exit code\n${result.stdout}`);
      });
    });
  });
}
