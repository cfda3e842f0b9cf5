/**
 * Open documents with their own incremental tree-sitter tree.
 *
 * `TextDocuments` from vscode-languageserver applies content changes itself and hides
 * their ranges; tree-sitter's incremental reparse needs exactly those ranges
 * (`tree.edit`). So this manager is handed to `TextDocuments` as its configuration:
 * it applies each change to the text and, in the same step, to the old tree. The
 * reparse itself happens lazily, once per analysed version (`treeFor`).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent, TextDocumentsConfiguration } from 'vscode-languageserver';
import { languageForPath, mayContainForkSite, parseSource, releaseTree, type Language, type Tree, type VforklintConfig } from '../rules/index.js';

/**
 * Trees are kept only for the 4 documents edited most recently: a 10,000-line file's tree
 * costs megabytes of native memory, and a document not being edited gains nothing from
 * one (its next edit reparses it in full once, then incrementally again). A document only
 * opened, never edited, keeps none past its analysis (`releaseIfIdle`): opening 100 files
 * holds no tree, and the WebAssembly memory, which never shrinks, grows to one parse.
 */
export const MAX_LIVE_TREES = 4;
const liveTrees: LintDocument[] = [];

function touchTree(doc: LintDocument): void {
  const i = liveTrees.indexOf(doc);
  if (i >= 0) liveTrees.splice(i, 1);
  liveTrees.push(doc);
  while (liveTrees.length > MAX_LIVE_TREES) liveTrees.shift()!.dropTree();
}

export class LintDocument {
  /** The text as the editor has it. */
  text: TextDocument;
  readonly language: Language | undefined;
  /** A tree for some earlier text, `edit()`ed to match the current text (or undefined). */
  private tree: Tree | undefined;
  /** True when `tree` was parsed from exactly the current text. */
  private treeCurrent = false;
  /** Edited since it was opened (its tree then serves the next keystroke's incremental reparse). */
  private edited = false;

  constructor(text: TextDocument, language: Language | undefined) {
    this.text = text;
    this.language = language;
  }

  get uri(): string {
    return this.text.uri;
  }

  get version(): number {
    return this.text.version;
  }

  getText(): string {
    return this.text.getText();
  }

  /** Apply LSP content changes, mirroring each one into the old tree. */
  applyChanges(changes: TextDocumentContentChangeEvent[], version: number): void {
    this.edited = true;
    for (const change of changes) {
      if (!('range' in change) || change.range === undefined) {
        this.text = TextDocument.update(this.text, [change], version);
        this.setTree(undefined); // full replacement: nothing to reuse
        continue;
      }
      const before = this.text;
      const startIndex = before.offsetAt(change.range.start);
      const oldEndIndex = before.offsetAt(change.range.end);
      // offsetAt clamps; take the positions back from the clamped offsets so row/column agree.
      const startPosition = before.positionAt(startIndex);
      const oldEndPosition = before.positionAt(oldEndIndex);
      this.text = TextDocument.update(before, [change], version);
      const newEndIndex = startIndex + change.text.length;
      const newEndPosition = this.text.positionAt(newEndIndex);
      if (this.tree) {
        this.tree.edit({
          startIndex,
          oldEndIndex,
          newEndIndex,
          startPosition: { row: startPosition.line, column: startPosition.character },
          oldEndPosition: { row: oldEndPosition.line, column: oldEndPosition.character },
          newEndPosition: { row: newEndPosition.line, column: newEndPosition.character },
        });
      }
      this.treeCurrent = false;
    }
    if (changes.length === 0) this.text = TextDocument.update(this.text, [], version);
  }

  /**
   * The tree for the current text, reparsed incrementally from the edited old tree, or
   * undefined when the text holds no fork spelling (then `analyze` does not parse either,
   * and the old tree is dropped to save memory).
   */
  treeFor(config: VforklintConfig): Tree | undefined {
    if (!this.language) return undefined;
    const text = this.getText();
    if (!mayContainForkSite(text, this.language, config)) {
      this.setTree(undefined);
      return undefined;
    }
    if (!this.tree || !this.treeCurrent) {
      this.setTree(parseSource(text, this.language, this.tree));
      this.treeCurrent = true;
    }
    touchTree(this);
    return this.tree;
  }

  /** Whether a tree is held (tests). */
  get holdsTree(): boolean {
    return this.tree !== undefined;
  }

  /** After an analysis: a document never edited keeps no tree (nothing would reparse from it). */
  releaseIfIdle(): void {
    if (!this.edited) this.dropTree();
  }

  /** Forget the tree (closed, or not edited lately). */
  dropTree(): void {
    this.setTree(undefined);
    const i = liveTrees.indexOf(this);
    if (i >= 0) liveTrees.splice(i, 1);
  }

  /** Replace the tree, releasing the old one's WebAssembly memory (a lazy fix may still hold it). */
  private setTree(tree: Tree | undefined): void {
    const old = this.tree;
    this.tree = tree;
    this.treeCurrent = false;
    if (old && old !== tree) releaseTree(old);
  }
}

function languageFor(uri: string, languageId: string): Language | undefined {
  const id = languageId.toLowerCase();
  if (id === 'c') return 'c';
  if (id === 'go' || id === 'golang') return 'go';
  let path = uri;
  try {
    path = decodeURIComponent(new URL(uri).pathname);
  } catch {
    // not a URL: use as is
  }
  return languageForPath(path);
}

export const lintDocumentsConfiguration: TextDocumentsConfiguration<LintDocument> = {
  create(uri, languageId, version, content) {
    return new LintDocument(TextDocument.create(uri, languageId, version, content), languageFor(uri, languageId));
  },
  update(document, changes, version) {
    document.applyChanges(changes, version);
    return document;
  },
};
