/**
 * The child process that checks inputs for the fuzz runner. Analysis is synchronous
 * (WebAssembly): a hang cannot be interrupted in-process, so the runner sends each input
 * here and kills this process when it overruns the watchdog.
 */
import { checkInput, LONG_BUDGET, TEST_BUDGET, type CheckOptions, type CheckReport } from './check.js';
import { initParsers, type Language } from '../rules/index.js';

interface Request {
  id: number;
  text: string;
  language: Language;
  idempotent: boolean;
  fixParses: boolean;
  budget: 'long' | 'test';
}

// Start loading at once; a message that arrives meanwhile waits for it.
const ready = initParsers();

process.on('message', async (m: Request) => {
  await ready;
  const options: CheckOptions = { idempotent: m.idempotent, fixParses: m.fixParses, budgetMs: m.budget === 'test' ? TEST_BUDGET : LONG_BUDGET };
  let report: CheckReport;
  try {
    report = checkInput(m.text, m.language, options);
  } catch (e) {
    report = { violations: [{ property: 'checker', detail: e instanceof Error ? e.message : String(e) }], analyzeMs: 0, fixMs: 0, findings: 0 };
  }
  process.send!({ id: m.id, report });
});
