/**
 * A real VS Code for the tests: code-server (installed by .ci/setup-editors.sh into a
 * cache folder) with the vforklint .vsix installed, driven by Debian's Chromium through
 * playwright-core. Everything lives in a temporary home; the process group is killed at
 * the end.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './lsp-client.js';

export const CODE_SERVER_VERSION = '4.100.3';

export function codeServerBinary(): string | undefined {
  const cache = process.env.VFORKLINT_EDITOR_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vforklint-editors');
  const bin = join(cache, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
  return existsSync(bin) ? bin : undefined;
}

export function chromiumBinary(): string | undefined {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]) {
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Build the .vsix from the current sources (bundle + vsce); returns its path. */
export function buildVsix(): string {
  execFileSync('bash', [join(REPO, 'client-vscode', 'scripts', 'build-vsix.sh')], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 240_000 });
  const dir = join(REPO, 'client-vscode');
  const vsix = readdirSync(dir).filter((f) => f.endsWith('.vsix')).sort().pop();
  if (!vsix) throw new Error('build-vsix.sh produced no .vsix');
  return join(dir, vsix);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface CodeServer {
  url: string;
  proc: ChildProcess;
  log: string[];
  stop(): Promise<void>;
}

export async function startCodeServer(bin: string, home: string, folder: string, vsix: string, settings: Record<string, unknown>): Promise<CodeServer> {
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'editor.quickSuggestions': { other: false, comments: false, strings: false },
      ...settings,
    }),
  );
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share'), XDG_CACHE_HOME: join(home, '.cache') };
  execFileSync(bin, ['--install-extension', vsix, '--extensions-dir', extensions, '--user-data-dir', userData], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const port = await freePort();
  const proc = spawn(
    bin,
    ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-workspace-trust', '--disable-update-check', '--disable-getting-started-override', '--user-data-dir', userData, '--extensions-dir', extensions, folder],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => log.push(String(d)));
  proc.stderr?.on('data', (d: Buffer) => log.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await exited;
    clearTimeout(t);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`code-server exited (${proc.exitCode}): ${log.join('')}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s: ${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, proc, log, stop };
}
