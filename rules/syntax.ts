/** Small, allocation-conscious helpers over tree-sitter nodes. No recursion: deep input must not overflow. */
import type { SyntaxNode, TreeCursor } from './parser.js';
import type { Position, Range } from './types.js';

export function field(node: SyntaxNode, name: string): SyntaxNode | undefined {
  return node.childForFieldName(name) ?? undefined;
}

export function namedChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let i = 0; i < node.namedChildCount; i++) {
    const c = node.namedChild(i);
    if (c) out.push(c);
  }
  return out;
}

/** All children, named and anonymous (`:=`, `(`). */
export function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    if (c) out.push(c);
  }
  return out;
}

/** The children in field `name` (a declaration's declarators, a parameter list entry's names). */
export function fieldChildren(node: SyntaxNode, name: string): SyntaxNode[] {
  return node.childrenForFieldName(name).filter((c): c is SyntaxNode => c !== null);
}

/** Descendants of the given types, in document order (tree-sitter's own search: only matches become objects). */
export function descendantsOfType(node: SyntaxNode, types: string | string[]): SyntaxNode[] {
  return node.descendantsOfType(types).filter((c): c is SyntaxNode => c !== null);
}

/** Named children that are not comments. */
export function codeChildren(node: SyntaxNode): SyntaxNode[] {
  return namedChildren(node).filter((c) => c.type !== 'comment');
}

/** The operator token of a binary/unary/assignment node (`==`, `!`, `&`, `+=`). */
export function operatorOf(node: SyntaxNode): string {
  const op = node.childForFieldName('operator');
  if (op) return op.type;
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    if (c && !c.isNamed) return c.type;
  }
  return '';
}

/**
 * A tree cursor at `node` that frees its WebAssembly memory when its scope ends:
 * `using cursor = cursorAt(node)`.
 */
export function cursorAt(node: SyntaxNode): TreeCursor & Disposable {
  const cursor = node.walk();
  return Object.assign(cursor, { [Symbol.dispose]: () => cursor.delete() });
}

export interface WalkOptions {
  /** Only these node types are handed to `visit` (the others are walked but never materialised). */
  only?: ReadonlySet<string>;
  /** Subtrees of these types (below the start node) are not entered. */
  skip?: ReadonlySet<string>;
}

/**
 * Visit `node` and its descendants in document order. Return false from `visit` to skip a
 * node's children. Iterative, so a 10,000-deep tree is fine. Turning a tree-sitter node
 * into a JS object is the expensive part: pass `only`/`skip` so the cursor decides by type.
 */
export function walk(node: SyntaxNode, visit: (n: SyntaxNode) => boolean | void, options: WalkOptions = {}): void {
  using cursor = cursorAt(node);
  const { only, skip } = options;
  let depth = 0;
  for (;;) {
    const type = cursor.nodeType;
    let keep: boolean | void = true;
    if (depth > 0 && skip?.has(type)) keep = false;
    else if (!only || only.has(type)) keep = visit(cursor.currentNode);
    if (keep !== false && cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    // Move to the next sibling, climbing as needed; stop on returning to the start node.
    for (;;) {
      if (depth === 0) return;
      if (cursor.gotoNextSibling()) break;
      cursor.gotoParent();
      depth--;
    }
  }
}

/** Named descendants of the given types, in document order (optionally not descending into `stopAt`). */
export function descendants(node: SyntaxNode, types: ReadonlySet<string>, stopAt?: ReadonlySet<string>): SyntaxNode[] {
  // tree-sitter's native search materialises only the matches: far cheaper than a JS walk.
  const found = descendantsOfType(node, [...types]);
  if (!stopAt || stopAt.size === 0) return found;
  const stops = descendantsOfType(node, [...stopAt]).filter((s) => s.id !== node.id);
  if (stops.length === 0) return found;
  return found.filter((n) => !stops.some((s) => s.startIndex <= n.startIndex && n.endIndex <= s.endIndex && s.id !== n.id));
}

/** Nodes in document order with their offsets read once (each tree-sitter getter is a native call). */
interface NodeList {
  nodes: SyntaxNode[];
  starts: Int32Array;
  ends: Int32Array;
  types: string[];
}

function nodeList(nodes: SyntaxNode[]): NodeList {
  const starts = new Int32Array(nodes.length);
  const ends = new Int32Array(nodes.length);
  const types: string[] = [];
  nodes.forEach((n, i) => {
    starts[i] = n.startIndex;
    ends[i] = n.endIndex;
    types.push(n.type);
  });
  return { nodes, starts, ends, types };
}

/** The first index whose start is at or after `offset` (`starts` ascending). */
export function firstAtOrAfter(starts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Values remembered per node of a tree, keyed by the node's id and whatever else the caller
 * adds: one map per tree, since node ids are only unique within one tree (and the project
 * index keeps several trees alive).
 */
export class PerTreeCache<K, V> {
  private byTree = new WeakMap<object, Map<K, V>>();

  /** The map for the tree `node` belongs to. */
  of(node: SyntaxNode): Map<K, V> {
    let map = this.byTree.get(node.tree);
    if (!map) this.byTree.set(node.tree, (map = new Map()));
    return map;
  }

  clear(): void {
    this.byTree = new WeakMap();
  }
}

type DescendantIndex = { found: NodeList; stops: NodeList };

const indexCache = new PerTreeCache<string, DescendantIndex>();

/** Forget the per-function indexes. */
export function clearSyntaxCaches(): void {
  indexCache.clear();
}

/**
 * `descendants(node, types, stopAt)` for many nodes inside one `root` (a function): the
 * root is searched once per set of types and each query is a binary search, instead of
 * one native search per statement.
 */
export function descendantsWithin(root: SyntaxNode, node: SyntaxNode, types: ReadonlySet<string>, stopAt?: ReadonlySet<string>): SyntaxNode[] {
  if (node.startIndex < root.startIndex || node.endIndex > root.endIndex) return descendants(node, types, stopAt);
  const key = `${root.id}:${root.startIndex}:${root.endIndex}:${[...types].join(',')}:${stopAt ? [...stopAt].join(',') : ''}`;
  const ofTree = indexCache.of(root);
  let index = ofTree.get(key);
  if (!index) {
    index = { found: nodeList(descendantsOfType(root, [...types])), stops: nodeList(stopAt && stopAt.size ? descendantsOfType(root, [...stopAt]) : []) };
    ofTree.set(key, index);
  }
  const { found, stops } = index;
  const nodeStart = node.startIndex;
  const nodeEnd = node.endIndex;
  const nodeType = node.type;
  // The stop nodes strictly inside `node` (not `node` itself), in document order.
  const inner: number[] = [];
  for (let j = firstAtOrAfter(stops.starts, nodeStart); j < stops.nodes.length && stops.starts[j] < nodeEnd; j++) {
    if (stops.ends[j] > nodeEnd) continue;
    if (stops.starts[j] === nodeStart && stops.ends[j] === nodeEnd && stops.types[j] === nodeType) continue;
    inner.push(j);
  }
  const out: SyntaxNode[] = [];
  let k = 0; // inner stops that end before the current node are behind us
  let reach = -1; // the furthest end among the inner stops started so far
  let reachStart = -1;
  for (let i = firstAtOrAfter(found.starts, nodeStart); i < found.nodes.length && found.starts[i] < nodeEnd; i++) {
    const start = found.starts[i];
    const end = found.ends[i];
    if (end > nodeEnd) continue;
    while (k < inner.length && stops.starts[inner[k]] <= start) {
      const j = inner[k++];
      if (stops.ends[j] > reach) {
        reach = stops.ends[j];
        reachStart = j;
      }
    }
    // Inside a stop node (other than itself: a closure is found, its body is not entered).
    if (reach >= end && !(stops.starts[reachStart] === start && stops.ends[reachStart] === end && stops.types[reachStart] === found.types[i])) continue;
    out.push(found.nodes[i]);
  }
  return out;
}

const isWordCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * The identifier `text` ends with (`a.b->c` gives `c`), or `text` itself when it ends in
 * none. A scan from the end: the RegExp `([A-Za-z_]\w*)\s*$` backtracks quadratically on
 * a long run of word characters followed by something else.
 */
export function lastName(text: string): string {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  let start = end;
  while (start > 0 && isWordCode(text.charCodeAt(start - 1))) start--;
  // An identifier starts with a letter or `_`.
  while (start < end && text.charCodeAt(start) >= 48 && text.charCodeAt(start) <= 57) start++;
  return start < end ? text.slice(start, end) : text;
}

export function ancestor(node: SyntaxNode, types: ReadonlySet<string>): SyntaxNode | undefined {
  let n: SyntaxNode | null = node.parent;
  while (n) {
    if (types.has(n.type)) return n;
    n = n.parent;
  }
  return undefined;
}

export function contains(outer: SyntaxNode, inner: SyntaxNode): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

export function rangeOfNode(node: SyntaxNode): Range {
  return {
    start: { line: node.startPosition.row + 1, column: node.startPosition.column + 1, offset: node.startIndex },
    end: { line: node.endPosition.row + 1, column: node.endPosition.column + 1, offset: node.endIndex },
  };
}

/** Offsets to positions for ranges that do not come from a node (comments found by text, edits). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    // indexOf finds each newline far faster than a per-character loop (a keystroke in the language server builds one).
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1, offset };
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))];
  }
  get lineCount(): number {
    return this.starts.length;
  }
}

/**
 * The child of a node that holds an offset. A file's top level has thousands of children:
 * listing them costs several calls through the parser binding each (materialising them as
 * nodes costs more), while the parser finds one child by offset in a single call. So the
 * first lookups ask the parser; past `DIRECT_LOOKUPS` of them, the children's ranges are
 * listed once and searched (the cost stays linear in the number of children).
 */
export class ChildIndex {
  private lookups = 0;
  private listed?: { starts: number[]; ends: number[]; nodes: Map<number, SyntaxNode> };

  constructor(private readonly node: SyntaxNode) {}

  /** The child that holds `offset` (start <= offset < end), or undefined. */
  around(offset: number): SyntaxNode | undefined {
    if (++this.lookups <= DIRECT_LOOKUPS) {
      // The first child that ends after the offset: it holds the offset unless it starts after it.
      const child = this.node.firstChildForIndex(offset);
      return child && child.startIndex <= offset && offset < child.endIndex ? child : undefined;
    }
    const { starts, ends, nodes } = (this.listed ??= listChildren(this.node));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! <= offset) lo = mid + 1;
      else if (starts[mid]! > offset) hi = mid - 1;
      else {
        let n = nodes.get(mid);
        if (!n) nodes.set(mid, (n = this.node.child(mid)!));
        return n;
      }
    }
    return undefined;
  }
}

const DIRECT_LOOKUPS = 256;

function listChildren(node: SyntaxNode): { starts: number[]; ends: number[]; nodes: Map<number, SyntaxNode> } {
  const starts: number[] = [];
  const ends: number[] = [];
  const c = node.walk();
  try {
    if (c.gotoFirstChild()) {
      do {
        starts.push(c.startIndex);
        ends.push(c.endIndex);
      } while (c.gotoNextSibling());
    }
  } finally {
    c.delete();
  }
  return { starts, ends, nodes: new Map() };
}

/**
 * The nodes enclosing a sequence of non-decreasing offsets, found with one forward walk
 * of a tree cursor: each node is stepped over at most once in all, so locating N spelling
 * matches costs the size of the tree, not N times the width of a flat ERROR node (which
 * `descendantForIndex` followed by `parent` calls would). The root's own children are
 * found by a binary search (ChildIndex), the cursor then walks inside the one that holds
 * the offset.
 */
export class PathLocator {
  private readonly cursor;
  /** The cursor's path from the root: nodes, materialised only when they hold an offset asked for. */
  private readonly path: Array<{ start: number; end: number; node?: SyntaxNode }>;
  private last = -1;
  private readonly top: ChildIndex;

  constructor(root: SyntaxNode) {
    this.cursor = root.walk();
    this.path = [{ start: root.startIndex, end: root.endIndex, node: root }];
    this.top = new ChildIndex(root);
  }

  /** Innermost first: the nodes that hold `offset` (start <= offset < end), ending with the root; at most `limit` of them. */
  enclosing(offset: number, limit = Infinity): SyntaxNode[] {
    if (offset < this.last) throw new Error('PathLocator: offsets must not decrease');
    this.last = offset;
    const c = this.cursor;
    const path = this.path;
    // Up and forward, below the root's child: leave nodes that end at or before the offset.
    while (path.length > 2 && path[path.length - 1].end <= offset) {
      if (c.gotoNextSibling()) path[path.length - 1] = { start: c.startIndex, end: c.endIndex };
      else {
        c.gotoParent();
        path.pop();
      }
    }
    // The root's child holding the offset, when the cursor is not inside it yet.
    if (path.length === 1 || (path.length === 2 && path[1].end <= offset)) {
      path.length = 1;
      const child = this.top.around(offset);
      if (child) {
        // The cursor's own root from now on: below it, the walk goes on as before.
        c.reset(child);
        path.push({ start: child.startIndex, end: child.endIndex, node: child });
      }
    }
    // The cursor is always at the path's last node: name it before going further down.
    const top = path[path.length - 1];
    if (path.length > 1 && top.start <= offset && offset < top.end) {
      top.node ??= c.currentNode;
      // Down: into the child holding the offset, as long as there is one.
      while (c.gotoFirstChild()) {
        while (c.endIndex <= offset && c.gotoNextSibling());
        const holds = c.startIndex <= offset && offset < c.endIndex;
        path.push({ start: c.startIndex, end: c.endIndex, node: holds ? c.currentNode : undefined });
        if (!holds) break;
      }
    }
    const out: SyntaxNode[] = [];
    for (let i = path.length - 1; i >= 0 && out.length < limit; i--) {
      const p = path[i];
      if (p.node && ((p.start <= offset && offset < p.end) || i === 0)) out.push(p.node);
    }
    return out;
  }

  /** Free the cursor (WebAssembly memory): `using locator = new PathLocator(root)`. */
  [Symbol.dispose](): void {
    this.cursor.delete();
  }
}

/** `text` with RegExp metacharacters escaped (names from broken code can hold anything). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
