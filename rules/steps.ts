/**
 * The child's path to a finding, step by step (docs/rules.md, section 9): the fork site,
 * the test of the fork result that selected the child (or the parent), each call on the
 * way into other functions, and the hazard itself. Site findings carry the site only.
 *
 * The test is read with the flow pass's own ConditionReader; the calls are the chains the
 * call and write summaries already follow, resolved to the first call of each name in the
 * function before it.
 */
import { callsIn, macroValue, type CallVerdict } from './effects/calls.js';
import { allocationNode } from './effects/go-allocation.js';
import { firstWriteTo, scopeOf } from './effects/writes.js';
import type { FileContext } from './file-context.js';
import { ConditionReader, type ResultRole, type Split } from './flow/conditions.js';
import { passThroughMacrosOf } from './flow/pass-through.js';
import { ALL_OUTCOMES, BOTH, CHILD, PARENT_SIDE, PRE, binding } from './flow/path-state.js';
import { ResultValues } from './flow/values.js';
import type { ExpressionView } from './language/adapter.js';
import type { StatementView } from './language/adapter.js';
import type { SyntaxNode } from './parser.js';
import type { RuleReport } from './rule-kit.js';
import type { SiteAnalysis } from './site-analysis.js';
import { PATH_RULE_IDS } from './step-chain.js';
import { contains, field, lastName, rangeOfNode } from './syntax.js';
import type { FindingStep, RuleId } from './types.js';

/** The flow pass's condition reader, asked about the fork result as the site names it (no per-path facts). */
class SiteConditionReader {
  private readonly reader: ConditionReader;
  constructor(
    view: (n: SyntaxNode) => ExpressionView,
    private readonly role: (node: SyntaxNode) => ResultRole | undefined,
  ) {
    this.reader = new ConditionReader(view);
  }
  split(node: SyntaxNode): Split {
    return this.reader.split(node, (n) => {
      const r = this.role(n);
      return r ? binding(r, 1, 0) : undefined;
    });
  }
  caseOutcomes(role: ResultRole, constant: number): number {
    const value = binding(role, 1, 0);
    return value ? this.reader.caseOutcomes(value, constant) : ALL_OUTCOMES;
  }
}

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

/**
 * The head of a child path to `node`: the fork site and the test that selected the child
 * there (a failed exec's finding starts with these, then the exec, then its hazards).
 */
export function childHeadSteps(analysis: SiteAnalysis, node: SyntaxNode): FindingStep[] {
  const fork = forkStep(analysis);
  const selection = selectionStep(analysis, 'child-unsafe-call', { messageId: 'head', node }, CHILD);
  return selection ? [fork, selection] : [fork];
}

/** Is this one of the head steps `stepsFor` puts first (the fork, or the test that selected the side)? */
export function isHeadStep(analysis: SiteAnalysis, s: FindingStep): boolean {
  const fork = forkStep(analysis);
  if (where(s) === where(fork) && s.message === fork.message) return true;
  return !s.file && /(?:: the (?:child|parent)'s side|^no test of the result yet: both parent and child run this|is the child: all of it runs on the child's side)$/.test(s.message);
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

/** A branch whose test of the fork result singles out some outcomes: an if's then or else, a switch case. */
interface Branch {
  start: number;
  end: number;
  outcomes: number;
  /** The step naming the test, for the side it selects. */
  say(wanted: number): FindingStep;
}

/** An `if` testing the fork result, with the states entering it (for the child after it). */
interface ResultIf {
  end: number;
  condition: SyntaxNode;
  entry: number;
}

/** What the flow pass reached, as plain offsets, and the tests of the result: built once per site. */
interface SiteIndex {
  reached: Array<{ start: number; end: number; mask: number }>;
  branches: Branch[];
  ifs: ResultIf[];
  reader: SiteConditionReader;
}

const indexes = new WeakMap<SiteAnalysis, SiteIndex>();

function siteIndex(analysis: SiteAnalysis): SiteIndex {
  let index = indexes.get(analysis);
  if (index) return index;
  const adapter = analysis.file.viewAdapter;
  // The flow pass's view: through `likely(...)`-style wrappers and into what a macro use computes.
  const values = new ResultValues(adapter, undefined, passThroughMacrosOf(analysis.file), adapter.language === 'c' ? (c) => macroValue(analysis.file, c) : undefined);
  const reader = new SiteConditionReader(values.view, resultRole(analysis));
  index = { reached: [], branches: [], ifs: [], reader };
  for (const e of analysis.flow.evaluations.values()) index.reached.push({ start: e.node.startIndex, end: e.node.endIndex, mask: e.mask });
  for (const st of analysis.flow.statements.values()) {
    index.reached.push({ start: st.node.startIndex, end: st.node.endIndex, mask: st.mask });
    if (st.role !== 'compound') continue;
    const view = adapter.statement(st.node);
    if (view.kind === 'if') {
      const split = reader.split(view.condition);
      if (split.whenTrue === ALL_OUTCOMES && split.whenFalse === ALL_OUTCOMES) continue;
      const condition = view.condition;
      index.branches.push({ start: view.then.startIndex, end: view.then.endIndex, outcomes: split.whenTrue, say: (w) => conditionStep(condition, true, w) });
      if (view.else) index.branches.push({ start: view.else.startIndex, end: view.else.endIndex, outcomes: split.whenFalse, say: (w) => conditionStep(condition, false, w) });
      // An `if` whose condition forks (`if ((pid = vfork()) == 0)`) is entered before the fork and tests it at once.
      index.ifs.push({ end: st.node.endIndex, condition, entry: st.mask & PRE ? st.mask | BOTH : st.mask });
    } else if (view.kind === 'switch') {
      index.branches.push(...switchBranches(analysis, reader, view));
    }
  }
  indexes.set(analysis, index);
  return index;
}

/** The states that reach the hazard: those of the smallest evaluated expression or statement around it. */
function maskAt(index: SiteIndex, node: SyntaxNode): { mask: number; start: number; end: number } | undefined {
  const start = node.startIndex;
  const end = node.endIndex;
  let best: { mask: number; start: number; end: number } | undefined;
  for (const r of index.reached) {
    if (r.start <= start && end <= r.end && (!best || r.end - r.start < best.end - best.start)) best = r;
  }
  return best;
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
  if (!contains(site.fn, report.node)) return undefined;
  const index = siteIndex(analysis);
  const at = maskAt(index, report.node);
  const mask = rule === 'child-returns' && report.messageId === 'fallsOff' ? analysis.flow.endMask : at?.mask;
  if (mask !== undefined && mask & BOTH) return step(report.node, 'no test of the result yet: both parent and child run this');
  return withinExpression(analysis, index.reader, report.node, at, wanted) ?? enclosingTest(index, report.node, wanted) ?? precedingTest(index, report.node, wanted, mask);
}

/** Does taking this side of `condition` single out `wanted`? */
function selects(reader: SiteConditionReader, condition: SyntaxNode, whenTrue: boolean, wanted: number): boolean {
  const split = reader.split(condition);
  const outcomes = whenTrue ? split.whenTrue : split.whenFalse;
  return outcomes !== ALL_OUTCOMES && (outcomes & wanted) !== 0;
}

function conditionStep(condition: SyntaxNode, whenTrue: boolean, wanted: number): FindingStep {
  // C's `if (pid == 0)`: quote the test without the parentheses the syntax requires.
  if (condition.type === 'parenthesized_expression' && condition.namedChildCount === 1) condition = condition.namedChild(0)!;
  return step(condition, `\`${quote(condition)}\`${whenTrue ? '' : ' is false'}: ${sideName(wanted)}`);
}

/** Expression levels searched for a `?:`, `&&` or `||` around the hazard inside its statement. */
const MAX_EXPRESSION_CLIMB = 16;

/** A `?:`, `&&` or `||` around the hazard, inside the expression the flow pass evaluated. */
function withinExpression(analysis: SiteAnalysis, reader: SiteConditionReader, node: SyntaxNode, at: { start: number; end: number } | undefined, wanted: number): FindingStep | undefined {
  // Climbing costs the tree's depth per step: only where the expression has one of these operators.
  if (!at || !/\?|&&|\|\|/.test(analysis.file.text.slice(at.start, at.end))) return undefined;
  const adapter = analysis.file.viewAdapter;
  let p = node.parent;
  for (let i = 0; p && i < MAX_EXPRESSION_CLIMB && at.start <= p.startIndex && p.endIndex <= at.end; i++, p = p.parent) {
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

/** The innermost then, else or case around the hazard whose test selects the side. */
function enclosingTest(index: SiteIndex, node: SyntaxNode, wanted: number): FindingStep | undefined {
  const start = node.startIndex;
  const end = node.endIndex;
  let best: Branch | undefined;
  for (const b of index.branches) {
    if (b.start <= start && end <= b.end && b.outcomes !== ALL_OUTCOMES && b.outcomes & wanted && (!best || b.end - b.start < best.end - best.start)) best = b;
  }
  return best?.say(wanted);
}

type SwitchView = Extract<StatementView, { kind: 'switch' }>;

/** The cases of a switch that tests the result (`switch (pid)`, or Go's `switch { case r1 == 0: }`), with the outcomes each selects. */
function switchBranches(analysis: SiteAnalysis, reader: SiteConditionReader, view: SwitchView): Branch[] {
  const adapter = analysis.file.viewAdapter;
  const subjectRole = view.subject ? resultRole(analysis)(view.subject) : undefined;
  if (view.subject && !subjectRole) return [];
  // As the flow pass reads a switch on the result: an integer case compares with `==`, anything else may match all.
  const caseOutcomes = (values: SyntaxNode[]) =>
    values.reduce((m, v) => {
      if (!subjectRole) return m | reader.split(v).whenTrue;
      const e = adapter.expression(v);
      return m | (e.kind === 'integer' ? reader.caseOutcomes(subjectRole, e.value) : ALL_OUTCOMES);
    }, 0);
  const out: Branch[] = [];
  for (const c of view.cases) {
    if (!c.values && !subjectRole) continue;
    const outcomes = c.values ? caseOutcomes(c.values) : ALL_OUTCOMES & ~view.cases.reduce((m, x) => m | (x.values ? caseOutcomes(x.values) : 0), 0);
    if (outcomes === ALL_OUTCOMES) continue;
    const label = c.values ? `case ${c.values.map(quote).join(', ')}` : 'default';
    const where = view.subject ? ` of \`switch ${quote(view.subject)}\`` : '';
    out.push({ start: c.node.startIndex, end: c.node.endIndex, outcomes, say: (w) => step(c.node, `\`${label}\`${where}: ${sideName(w)}`) });
  }
  return out;
}

/**
 * No test around the hazard: the nearest earlier `if` whose other side left
 * (`if (pid > 0) { ...; return; }` then child code), seen in the flow states: that `if`
 * was reached by outcomes the hazard no longer is.
 */
function precedingTest(index: SiteIndex, node: SyntaxNode, wanted: number, mask: number | undefined): FindingStep | undefined {
  if (mask === undefined) return undefined;
  const start = node.startIndex;
  let best: ResultIf | undefined;
  for (const i of index.ifs) {
    if (i.end > start || (best && i.end <= best.end)) continue;
    if (!(i.entry & ~mask & (BOTH | ALL_OUTCOMES))) continue;
    if (selects(index.reader, i.condition, false, wanted) || selects(index.reader, i.condition, true, wanted)) best = i;
  }
  if (!best) return undefined;
  return conditionStep(best.condition, selects(index.reader, best.condition, true, wanted) && !selects(index.reader, best.condition, false, wanted), wanted);
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
      return report.messageId === 'callee' ? calleeAllocationSteps(analysis, node, data) : [step(node, 'the child allocates here')];
    case 'parent-reuses-frame':
      return [step(node, 'the parent runs on in the frame the child used')];
    default:
      return [step(node, 'here')];
  }
}

const verdictMaps = new WeakMap<SiteAnalysis, Map<number, CallVerdict>>();

/** The child's calls' verdicts by call, once per site. */
function verdicts(analysis: SiteAnalysis): Map<number, CallVerdict> {
  let m = verdictMaps.get(analysis);
  if (!m) verdictMaps.set(analysis, (m = new Map(analysis.childCalls().map((c) => [c.call.id, c.verdict]))));
  return m;
}

function unsafeCallSteps(analysis: SiteAnalysis, call: SyntaxNode): FindingStep[] {
  const verdict = verdicts(analysis).get(call.id);
  const callee = analysis.file.calleeText(call) ?? quote(call);
  if (!verdict || (verdict.kind !== 'unsafe' && verdict.kind !== 'unknown')) return [step(call, `the child calls \`${callee}\` here`)];
  const why = verdict.kind === 'unsafe' ? verdict.reason : 'it could not be checked';
  if (verdict.chain.length <= 1) return [step(call, `the child calls \`${callee}\` here: ${why}`)];
  const { steps, last, lastFile } = chainSteps(analysis.file, call, verdict.chain);
  if (!last) return steps;
  steps.pop();
  steps.push({ ...step(last, `\`${verdict.chain[verdict.chain.length - 2]}\` calls \`${verdict.chain[verdict.chain.length - 1]}\` here: ${why}`), ...(lastFile !== undefined ? { file: lastFile } : {}) });
  return steps;
}

function calleeWriteSteps(analysis: SiteAnalysis, call: SyntaxNode): FindingStep[] {
  const write = analysis.childWrites().find((w) => w.node.id === call.id && w.chain?.length);
  if (!write?.chain) return [step(call, 'the child calls a function that writes shared memory here')];
  const chain = write.chain;
  const { steps, last, lastCtx } = chainSteps(analysis.file, call, chain);
  const { ctx: wctx, file: wfile, fn: writer } = chainEnd(analysis, lastCtx, chain[chain.length - 1]);
  const body = writer && wctx.adapter.functionBody(writer);
  const at = body ? firstWriteTo(wctx, body, scopeOf(wctx, writer!), write.targetText) : undefined;
  const message = `\`${chain[chain.length - 1]}\` writes \`${write.targetText}\` here`;
  if (at) steps.push({ ...step(at, message), ...(wfile !== undefined ? { file: wfile } : {}) });
  else if (last && steps.length) steps[steps.length - 1] = { ...steps[steps.length - 1], message: `${steps[steps.length - 1].message}, which writes \`${write.targetText}\`` };
  return steps;
}

/**
 * The function a chain ends in: in the file the chain's steps reached, or (one more hop)
 * in the file of the project that defines it; `file` is undefined for the analysed file.
 */
function chainEnd(analysis: SiteAnalysis, lastCtx: FileContext | undefined, name: string): { ctx: FileContext; file?: string; fn?: SyntaxNode } {
  const ctx = lastCtx ?? analysis.file;
  const fn = ctx.functionNamed(name);
  const file = ctx === analysis.file ? undefined : ctx.project?.file;
  if (fn) return { ctx, file, fn };
  const d = ctx.project?.resolve(name)?.definitions[0];
  return d ? { ctx: d.ctx, file: d.file, fn: d.fn } : { ctx, file };
}

/** Go: the calls from the child's call to the allocation, ending where the last function allocates. */
function calleeAllocationSteps(analysis: SiteAnalysis, call: SyntaxNode, data: Record<string, string>): FindingStep[] {
  const chain = (data.chain ?? '').split(' -> ').filter(Boolean);
  if (!chain.length) return [step(call, 'the child calls a function that allocates here')];
  const { steps, lastCtx } = chainSteps(analysis.file, call, chain);
  const name = chain[chain.length - 1];
  const { ctx, file } = chainEnd(analysis, lastCtx, name);
  const at = allocationNode(ctx, name);
  if (at) steps.push({ ...step(at, `\`${name}\` allocates here: ${data.what ?? 'it allocates'}`), ...(file !== undefined ? { file } : {}) });
  return steps;
}

/**
 * Steps for a call chain `[a, b, c]` starting at `call` (a call of `a`): the call of `a`,
 * then the first call of `b` in `a` and of `c` in `b`, in this file or, through the project
 * index, in the file that defines the caller (the step names that file). Stops where a name
 * does not resolve; `last` is the last call resolved.
 */
function chainSteps(file: FileContext, call: SyntaxNode, chain: string[]): { steps: FindingStep[]; last?: SyntaxNode; lastFile?: string; lastCtx?: FileContext } {
  const steps = [step(call, `the child calls \`${file.calleeText(call) ?? chain[0]}\``)];
  let last: SyntaxNode | undefined = call;
  let lastFile: string | undefined;
  let at = file;
  for (let i = 1; i < chain.length; i++) {
    let next = at.functionNamed(chain[i - 1]) ? firstCallOf(at, chain[i - 1], chain[i]) : undefined;
    if (!at.functionNamed(chain[i - 1])) {
      const d = at.project?.resolve(chain[i - 1])?.definitions[0];
      if (d) {
        at = d.ctx;
        lastFile = d.file;
        next = firstCallOf(at, d.name, chain[i]);
      }
    }
    if (!next) return { steps, last: undefined };
    steps.push({ ...step(next, `\`${chain[i - 1]}\` calls \`${chain[i]}\``), ...(lastFile !== undefined ? { file: lastFile } : {}) });
    last = next;
  }
  return { steps, last, lastFile, lastCtx: at };
}

/** The first call of `callee` in the same-file function `caller`. */
function firstCallOf(file: FileContext, caller: string, callee: string): SyntaxNode | undefined {
  return file.remember(`steps:first-call:${caller}:${callee}`, () => findFirstCall(file, caller, callee));
}

function findFirstCall(file: FileContext, caller: string, callee: string): SyntaxNode | undefined {
  const fn = file.functionNamed(caller);
  const body = fn && file.adapter.functionBody(fn);
  if (!body) return undefined;
  return callsIn(file, body).find((c) => {
    const text = file.calleeText(c);
    if (text !== undefined && (text === callee || lastName(text) === lastName(callee))) return true;
    // `(warn ? perror_msg_raw : perror_exit_raw)(msg)`: a call through an expression naming it.
    const f = c.childForFieldName('function');
    return !!f && f.type !== 'identifier' && /^\w+$/.test(callee) && new RegExp(`\\b${callee}\\b`).test(f.text);
  });
}
