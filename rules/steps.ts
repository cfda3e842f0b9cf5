/**
 * The child's path to a finding, step by step (docs/rules.md, section 9): the fork site,
 * the test of the fork result that selected the child (or the parent), each call on the
 * way into other functions, and the hazard itself. Site findings carry the site only.
 *
 * The test is read with the flow pass's own ConditionReader; the calls are the chains the
 * call and write summaries already follow, resolved to the first call of each name in the
 * function before it.
 */
import { callsIn } from './effects/calls.js';
import { scopeOf, writesIn } from './effects/writes.js';
import type { FileContext } from './file-context.js';
import { ConditionReader, type ResultRole } from './flow/conditions.js';
import { ALL_OUTCOMES, BOTH, CHILD, PARENT_SIDE, PRE } from './flow/path-state.js';
import type { StatementView } from './language/adapter.js';
import type { SyntaxNode } from './parser.js';
import type { RuleReport } from './rule-kit.js';
import type { SiteAnalysis } from './site-analysis.js';
import { PATH_RULE_IDS } from './step-chain.js';
import { contains, field, lastName, rangeOfNode } from './syntax.js';
import type { FindingStep, RuleId } from './types.js';

/** Longest condition text a step quotes. */
const MAX_QUOTE = 60;

/** The steps of one rule report at one fork site. */
export function stepsFor(analysis: SiteAnalysis, rule: RuleId, report: RuleReport): FindingStep[] {
  const fork = forkStep(analysis);
  if (!PATH_RULE_IDS.has(rule)) return [fork];
  const wanted = rule === 'parent-reuses-frame' ? PARENT_SIDE : CHILD;
  const head = [fork];
  const selection = selectionStep(analysis, rule, report, wanted);
  if (selection) head.push(selection);
  const rest = report.steps?.length ? report.steps : pathSteps(analysis, rule, report);
  // A report's own steps may start at the fork site too: it is said once.
  const seen = new Set([where(fork), ...head.map((s) => `${where(s)}:${s.message}`)]);
  return [...head, ...rest.filter((s) => !seen.has(where(s)) && !seen.has(`${where(s)}:${s.message}`))];
}

function where(s: FindingStep): string {
  return `${s.file ?? ''}:${s.range.start.offset}:${s.range.end.offset}`;
}

function step(node: SyntaxNode, message: string): FindingStep {
  return { message, range: rangeOfNode(node) };
}

function quote(node: SyntaxNode): string {
  const text = node.text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE - 3)}...` : text;
}

function forkStep(analysis: SiteAnalysis): FindingStep {
  const site = analysis.site;
  const what = site.kind === 'clone-fn' ? 'creates the child, which runs the function passed to it' : site.kind === 'concurrent' ? 'creates a child that runs beside the parent' : 'creates the child here';
  return step(site.call, `\`${quote(site.call)}\` ${what}`);
}

// ----- the test that selected the side ----------------------------------------------

function sideName(wanted: number): string {
  return wanted === CHILD ? "the child's side" : "the parent's side";
}

/** What the fork result means in an expression: a reading of the flow pass's result tracking. */
function resultRole(analysis: SiteAnalysis): (node: SyntaxNode) => ResultRole | undefined {
  const { site } = analysis;
  const adapter = analysis.file.viewAdapter;
  return (node) => {
    if (site.kind === 'clone-fn') return undefined;
    if (node.id === site.call.id) return 'pid';
    const v = adapter.expression(node);
    if (v.kind === 'identifier') return v.name === site.pidVar ? 'pid' : v.name === site.errVar ? 'err' : undefined;
    if (v.kind === 'call') return v.call.id === site.call.id ? 'pid' : undefined;
    if (v.kind === 'assign' && v.op === '=') {
      const inner = adapter.expression(v.value);
      if (inner.kind === 'call' && inner.call.id === site.call.id) return 'pid';
    }
    return undefined;
  };
}

/** The states that reach the hazard: those of the nearest evaluated expression or statement around it. */
function maskAt(analysis: SiteAnalysis, node: SyntaxNode, rule: RuleId, messageId: string): number | undefined {
  if (rule === 'child-returns' && messageId === 'fallsOff') return analysis.flow.endMask;
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    const reached = analysis.flow.evaluations.get(n.id) ?? analysis.flow.statements.get(n.id);
    if (reached) return reached.mask;
  }
  return undefined;
}

function selectionStep(analysis: SiteAnalysis, rule: RuleId, report: RuleReport, wanted: number): FindingStep | undefined {
  const { site } = analysis;
  if (site.kind === 'clone-fn') {
    const fn = analysis.childFunction;
    if (!fn || !contains(fn, report.node)) return undefined;
    const name = analysis.file.adapter.functionName(fn);
    return step(nameNode(fn, name), `\`${name}\` is the child: all of it runs on the child's side`);
  }
  if (site.kind === 'concurrent') return undefined;
  const mask = maskAt(analysis, report.node, rule, report.messageId);
  if (mask !== undefined && mask & BOTH) return step(report.node, 'no test of the result yet: both parent and child run this');
  const body = analysis.file.adapter.functionBody(site.fn);
  if (!body || !contains(body, report.node)) return undefined;
  const reader = new ConditionReader(analysis.file.viewAdapter, resultRole(analysis));
  return enclosingTest(analysis, reader, report.node, body, wanted) ?? precedingTest(analysis, reader, report.node, body, wanted, mask);
}

/** Does taking this side of `condition` single out `wanted`? */
function selects(reader: ConditionReader, condition: SyntaxNode, whenTrue: boolean, wanted: number): boolean {
  const split = reader.split(condition);
  const outcomes = whenTrue ? split.whenTrue : split.whenFalse;
  return outcomes !== ALL_OUTCOMES && (outcomes & wanted) !== 0;
}

function conditionStep(condition: SyntaxNode, whenTrue: boolean, wanted: number): FindingStep {
  // C's `if (pid == 0)`: quote the test without the parentheses the syntax requires.
  if (condition.type === 'parenthesized_expression' && condition.namedChildCount === 1) condition = condition.namedChild(0)!;
  return step(condition, `\`${quote(condition)}\`${whenTrue ? '' : ' is false'}: ${sideName(wanted)}`);
}

/** The innermost if, switch case, `?:`, `&&` or `||` around the hazard whose test selects the side. */
function enclosingTest(analysis: SiteAnalysis, reader: ConditionReader, node: SyntaxNode, body: SyntaxNode, wanted: number): FindingStep | undefined {
  const adapter = analysis.file.viewAdapter;
  for (let p = node.parent; p && p.id !== body.parent?.id; p = p.parent) {
    const view = adapter.statement(p);
    if (view.kind === 'if' && !contains(view.condition, node)) {
      const whenTrue = contains(view.then, node);
      if ((whenTrue || (view.else && contains(view.else, node))) && selects(reader, view.condition, whenTrue, wanted)) return conditionStep(view.condition, whenTrue, wanted);
      continue;
    }
    if (view.kind === 'switch') {
      const found = switchCase(analysis, reader, view, node, wanted);
      if (found) return found;
      continue;
    }
    if (p.type === 'conditional_expression') {
      const condition = field(p, 'condition');
      const consequence = field(p, 'consequence');
      const alternative = field(p, 'alternative');
      const whenTrue = !!consequence && contains(consequence, node);
      if (condition && (whenTrue || (alternative && contains(alternative, node))) && selects(reader, condition, whenTrue, wanted)) return conditionStep(condition, whenTrue, wanted);
      continue;
    }
    const e = adapter.expression(p);
    if (e.kind === 'binary' && (e.op === '&&' || e.op === '||') && contains(e.right, node)) {
      const whenTrue = e.op === '&&';
      if (selects(reader, e.left, whenTrue, wanted)) return conditionStep(e.left, whenTrue, wanted);
    }
  }
  return undefined;
}

type SwitchView = Extract<StatementView, { kind: 'switch' }>;

function switchCase(analysis: SiteAnalysis, reader: ConditionReader, view: SwitchView, node: SyntaxNode, wanted: number): FindingStep | undefined {
  const c = view.cases.find((x) => contains(x.node, node));
  if (!c) return undefined;
  const adapter = analysis.file.viewAdapter;
  const subjectRole = view.subject ? resultRole(analysis)(view.subject) : undefined;
  let outcomes = ALL_OUTCOMES;
  if (subjectRole) {
    // As the flow pass reads a switch on the result: an integer case compares with `==`, anything else may match all.
    const caseOutcomes = (values: SyntaxNode[]) =>
      values.reduce((m, v) => {
        const e = adapter.expression(v);
        return m | (e.kind === 'integer' ? reader.caseOutcomes(subjectRole, e.value) : ALL_OUTCOMES);
      }, 0);
    if (c.values) outcomes = caseOutcomes(c.values);
    else outcomes = ALL_OUTCOMES & ~view.cases.reduce((m, x) => m | (x.values ? caseOutcomes(x.values) : 0), 0);
  } else if (!view.subject && c.values) {
    outcomes = c.values.reduce((m, v) => m | reader.split(v).whenTrue, 0);
  }
  if (outcomes === ALL_OUTCOMES || !(outcomes & wanted)) return undefined;
  const label = c.values ? `case ${c.values.map(quote).join(', ')}` : 'default';
  const where = view.subject ? ` of \`switch ${quote(view.subject)}\`` : '';
  return step(c.node, `\`${label}\`${where}: ${sideName(wanted)}`);
}

/**
 * No test around the hazard: the nearest earlier `if` in an enclosing block whose other
 * side left (`if (pid > 0) { ...; return; }` then child code), seen in the flow states:
 * that `if` was reached by outcomes the hazard no longer is.
 */
function precedingTest(analysis: SiteAnalysis, reader: ConditionReader, node: SyntaxNode, body: SyntaxNode, wanted: number, mask: number | undefined): FindingStep | undefined {
  if (mask === undefined) return undefined;
  const adapter = analysis.file.viewAdapter;
  for (let p: SyntaxNode | null = node.parent; p && p.id !== body.parent?.id; p = p.parent) {
    const view = adapter.statement(p);
    if (view.kind !== 'block') continue;
    const at = view.statements.findIndex((s) => contains(s, node));
    for (let i = at - 1; i >= 0; i--) {
      const s = view.statements[i];
      const sv = adapter.statement(s);
      if (sv.kind !== 'if') continue;
      // An `if` whose condition forks (`if ((pid = vfork()) == 0)`) is entered before the fork and tests it at once.
      const before = analysis.flow.statements.get(s.id)?.mask ?? 0;
      const entry = before & PRE ? before | BOTH : before;
      if (!(entry & ~mask & (BOTH | ALL_OUTCOMES))) continue;
      if (selects(reader, sv.condition, false, wanted)) return conditionStep(sv.condition, false, wanted);
      if (selects(reader, sv.condition, true, wanted)) return conditionStep(sv.condition, true, wanted);
    }
  }
  return undefined;
}

function nameNode(fn: SyntaxNode, name: string): SyntaxNode {
  const direct = field(fn, 'name');
  if (direct) return direct;
  let n = field(fn, 'declarator');
  while (n && n.type !== 'identifier' && n.type !== 'field_identifier') {
    const next = field(n, 'declarator');
    if (!next) break;
    n = next;
  }
  return n && n.text === name ? n : fn;
}

// ----- calls and the hazard ---------------------------------------------------------

function pathSteps(analysis: SiteAnalysis, rule: RuleId, report: RuleReport): FindingStep[] {
  const node = report.node;
  const data = report.data ?? {};
  switch (rule) {
    case 'child-returns':
      return [step(node, report.messageId === 'fallsOff' ? 'the child falls off the end of the function here' : 'the child returns here, into the parent\'s frames')];
    case 'child-unsafe-call':
      return unsafeCallSteps(analysis, node);
    case 'child-writes-shared':
      return report.messageId === 'callee' ? calleeWriteSteps(analysis, node) : [step(node, `the child writes \`${data.target ?? quote(node)}\` here`)];
    case 'child-allocates':
      return [step(node, 'the child allocates here')];
    case 'parent-reuses-frame':
      return [step(node, 'the parent runs on in the frame the child used')];
    default:
      return [step(node, 'here')];
  }
}

function unsafeCallSteps(analysis: SiteAnalysis, call: SyntaxNode): FindingStep[] {
  const verdict = analysis.childCalls().find((c) => c.call.id === call.id)?.verdict;
  const callee = analysis.file.calleeText(call) ?? quote(call);
  if (!verdict || (verdict.kind !== 'unsafe' && verdict.kind !== 'unknown')) return [step(call, `the child calls \`${callee}\` here`)];
  const why = verdict.kind === 'unsafe' ? verdict.reason : 'it could not be checked';
  if (verdict.chain.length <= 1) return [step(call, `the child calls \`${callee}\` here: ${why}`)];
  const { steps, last } = chainSteps(analysis.file, call, verdict.chain);
  if (!last) return steps;
  steps.pop();
  steps.push(step(last, `\`${verdict.chain[verdict.chain.length - 2]}\` calls \`${verdict.chain[verdict.chain.length - 1]}\` here: ${why}`));
  return steps;
}

function calleeWriteSteps(analysis: SiteAnalysis, call: SyntaxNode): FindingStep[] {
  const write = analysis.childWrites().find((w) => w.node.id === call.id && w.chain?.length);
  if (!write?.chain) return [step(call, 'the child calls a function that writes shared memory here')];
  const chain = write.chain;
  const { steps, last } = chainSteps(analysis.file, call, chain);
  const writer = analysis.file.functionNamed(chain[chain.length - 1]);
  const body = writer && analysis.file.adapter.functionBody(writer);
  const at = body ? writesIn(analysis.file, body, scopeOf(analysis.file, writer!)).find((w) => w.targetText === write.targetText) : undefined;
  const message = `\`${chain[chain.length - 1]}\` writes \`${write.targetText}\` here`;
  if (at) steps.push(step(at.node, message));
  else if (last && steps.length) steps[steps.length - 1] = { ...steps[steps.length - 1], message: `${steps[steps.length - 1].message}, which writes \`${write.targetText}\`` };
  return steps;
}

/**
 * Steps for a call chain `[a, b, c]` starting at `call` (a call of `a`): the call of `a`,
 * then the first call of `b` in `a` and of `c` in `b`. Stops where a name does not resolve
 * to a function of this file; `last` is the last call resolved.
 */
function chainSteps(file: FileContext, call: SyntaxNode, chain: string[]): { steps: FindingStep[]; last?: SyntaxNode } {
  const steps = [step(call, `the child calls \`${file.calleeText(call) ?? chain[0]}\``)];
  let last: SyntaxNode | undefined = call;
  for (let i = 1; i < chain.length; i++) {
    const next = firstCallOf(file, chain[i - 1], chain[i]);
    if (!next) return { steps, last: undefined };
    steps.push(step(next, `\`${chain[i - 1]}\` calls \`${chain[i]}\``));
    last = next;
  }
  return { steps, last };
}

/** The first call of `callee` in the same-file function `caller`. */
function firstCallOf(file: FileContext, caller: string, callee: string): SyntaxNode | undefined {
  const fn = file.functionNamed(caller);
  const body = fn && file.adapter.functionBody(fn);
  if (!body) return undefined;
  return callsIn(file, body).find((c) => {
    const text = file.calleeText(c);
    return text !== undefined && (text === callee || lastName(text) === lastName(callee));
  });
}
