/**
 * Checking inputs in a child process with a watchdog: an input that makes the analysis
 * hang (native parse loops cannot be interrupted) is reported as a `no-hang` failure,
 * the child is killed and a fresh one takes the next input.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language } from '../rules/index.js';
import type { CheckReport } from './check.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');

export interface CheckRequest {
  text: string;
  language: Language;
  idempotent?: boolean;
  fixParses?: boolean;
  budget?: 'long' | 'test';
}

export class WatchedChecker {
  private child: ChildProcess | undefined;
  private next = 0;

  /** `watchdogMs(size)`: how long one input may take, analysis and fixes together, before it counts as a hang. */
  constructor(private readonly watchdogMs: (size: number) => number) {}

  private spawn(): ChildProcess {
    const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    child.unref();
    (child as unknown as { channel?: { unref(): void } }).channel?.unref();
    return child;
  }

  check(req: CheckRequest): Promise<CheckReport> {
    const child = (this.child ??= this.spawn());
    const id = this.next++;
    const limit = this.watchdogMs(req.text.length);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (r: CheckReport) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(r);
      };
      const onMessage = (m: { id: number; report: CheckReport }) => {
        if (m.id === id) finish(m.report);
      };
      const onExit = (code: number | null, signal: string | null) => {
        this.child = undefined;
        finish({ violations: [{ property: 'no-crash', detail: `the checking process died (exit ${code}, signal ${signal}): a native crash or out of memory` }], analyzeMs: 0, fixMs: 0, findings: 0 });
      };
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        this.child = undefined;
        finish({ violations: [{ property: 'no-hang', detail: `no answer within ${Math.round(limit / 1000)} s on ${req.text.length} characters (killed)` }], analyzeMs: limit, fixMs: 0, findings: 0 });
      }, limit);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ id, text: req.text, language: req.language, idempotent: req.idempotent ?? false, fixParses: req.fixParses ?? true, budget: req.budget ?? 'long' });
    });
  }

  close(): void {
    this.child?.kill();
    this.child = undefined;
  }
}
