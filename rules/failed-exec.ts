/**
 * "Exec does not end a path" (docs/rules.md, section 3): a child path that gets past an exec is
 * one on which the exec failed. The hazards such a path reaches are reported once, at the
 * exec, under the rule of the first of them; all of them are that finding's steps. The
 * flow pass tags those paths with their exec (FAILED_EXEC); here each exec's paths are
 * given to the child-path rules as if they were the only child paths.
 */
import { exitAfterExecFix, exitFix } from './fixes/small.js';
import { RULE_MODULES } from './registry.js';
import { formatMessage } from './rule-kit.js';
import { CHILD_SIDE, FAILED_EXEC } from './flow/path-state.js';
import type { FlowResult, Reached } from './flow/walk.js';
import { runRules } from './run-rules.js';
import { childHeadSteps, isHeadStep } from './steps.js';
import { SiteAnalysis } from './site-analysis.js';
import { lastName, rangeOfNode } from './syntax.js';
import type { Finding, FindingStep, Fix, RuleId, VforklintConfig } from './types.js';
import type { SyntaxNode } from './parser.js';

/** The rules that report hazards on child paths. */
const CHILD_PATH_RULES: ReadonlySet<RuleId> = new Set<RuleId>(['child-returns', 'child-writes-shared', 'child-unsafe-call', 'child-allocates']);

/** `flow` with the child side replaced by the paths on which `exec` failed. */
function failedExecView(flow: FlowResult, exec: number): FlowResult | undefined {
  let any = false;
  const narrow = <T extends Reached>(r: T): T => {
    const failed = r.execs?.get(exec) ?? 0;
    if (failed) any = true;
    return { ...r, mask: (r.mask & ~(CHILD_SIDE | FAILED_EXEC)) | failed, execs: undefined };
  };
  const statements = new Map([...flow.statements].map(([k, r]) => [k, narrow(r)]));
  const evaluations = new Map([...flow.evaluations].map(([k, r]) => [k, narrow(r)]));
  const endFailed = flow.endExecs?.get(exec) ?? 0;
  if (!any && !endFailed) return undefined;
  return { statements, evaluations, endMask: (flow.endMask & ~(CHILD_SIDE | FAILED_EXEC)) | endFailed, forkStatement: flow.forkStatement, incomplete: flow.incomplete };
}

/** How the exec is named in messages: `execv`, `RawSyscall(SYS_EXECVE, ...)`. */
function execName(site: SiteAnalysis, call: SyntaxNode): string {
  const adapter = site.file.adapter;
  const callee = adapter.calleeText(call) ?? 'exec';
  const first = adapter.arguments(call)[0];
  if (first && /^(?:\w+\.)?(?:SYS_|__NR_)\w+$/.test(first.text)) return `${callee}(${first.text}, ...)`;
  return lastName(callee) || callee;
}

function lineOf(f: Finding): number {
  return f.range.start.line;
}

/**
 * One hazard on a failed exec's path, as steps: the calls that lead to it, then the hazard
 * named with its rule (`child-unsafe-call: The child calls ...`), at the hazard itself when
 * it lies in a callee (`deep` calls `malloc` here), else at the finding's place.
 */
function hazardSteps(analysis: SiteAnalysis, h: Finding): FindingStep[] {
  const own = h.steps.filter((s) => !isHeadStep(analysis, s));
  const last = own.at(-1);
  const atFinding = !last || (!last.file && last.range.start.offset === h.range.start.offset && last.range.end.offset === h.range.end.offset);
  const end: FindingStep = atFinding ? { message: `${h.rule}: ${h.message}`, range: h.range } : { ...last, message: `${h.rule}: ${last.message}` };
  return [...own.slice(0, -1), end];
}

/** Report each exec whose failure leads the child into a hazard; `withFixes`: attach the fixes (not for cached analyses). */
export function reportFailedExecs(analysis: SiteAnalysis, config: VforklintConfig, out: Finding[], withFixes = true): void {
  const calls = analysis.flow.execCalls;
  if (!calls) return;
  const fnName = analysis.file.adapter.functionName(analysis.childFunction ?? analysis.site.fn) || 'the function';
  for (const [id, call] of calls) {
    const view = failedExecView(analysis.flow, id);
    if (!view) continue;
    const hazards: Finding[] = [];
    runRules(new SiteAnalysis(analysis.file, analysis.site, view), config, hazards, CHILD_PATH_RULES);
    if (hazards.length === 0) continue;
    // The first hazard on the way: the nearest one after the exec (a loop may lead back before it).
    const after = call.endIndex;
    hazards.sort((a, b) => Number(a.range.start.offset < after) - Number(b.range.start.offset < after) || a.range.start.offset - b.range.start.offset);
    const first = hazards[0];
    const exec = execName(analysis, call);
    const exit = analysis.file.adapter.language === 'c' ? '`_exit(127);`' : 'a raw `SYS_EXIT` loop';
    const data = { exec, fn: fnName, line: String(lineOf(first)), exit, hazard: first.message };
    const template = RULE_MODULES.find((r) => r.meta.id === first.rule)?.meta.messages.failedExec ?? 'When `{{exec}}` fails, the child goes on to line {{line}}: {{hazard}}';
    const message = formatMessage(template, data);
    // RULES section 9: the fork, the test that selected the child at the exec, the exec, then
    // each hazard with the calls that lead to it (its own head is the same fork and a test
    // on the failed exec's path: said once).
    const steps: FindingStep[] = [
      ...childHeadSteps(analysis, call),
      { message: `\`${exec}\` returns only when it fails`, range: rangeOfNode(call) },
      ...hazards.flatMap((h) => hazardSteps(analysis, h)),
    ];
    const onlyReturns = hazards.every((h) => h.rule === 'child-returns');
    const fix = withFixes ? exitAfterExecFix(analysis.file, call, onlyReturns) : undefined;
    // A hazard with a fix of its own (`exit` -> `_exit`) keeps it: it is applied at the hazard.
    const own = !withFixes ? [] : hazards.filter((h) => h.rule === 'child-unsafe-call').map((h) => exitFix(analysis.file, h)).filter((f): f is Fix => !!f);
    out.push({
      rule: first.rule,
      messageId: 'failedExec',
      data,
      severity: hazards.some((h) => h.severity === 'error') ? 'error' : 'warning',
      message,
      range: rangeOfNode(call),
      related: [analysis.forkRelated, { range: first.range, message: 'where the child goes on to when the exec fails' }],
      fixes: [...own, ...(fix ? [fix] : [])],
      steps,
    });
  }
}
