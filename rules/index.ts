/** The vforklint analysis core: pure, text in and findings out. */
export { analyze, languageForPath, mayContainForkSite, type AnalyzeOptions } from './analyze.js';
export { applyEdits } from './edits.js';
export { createAnalysisCache, type AnalysisCache } from './function-cache.js';
export {
  forgetSharedParses,
  holdTreeFor,
  initParsers,
  installedParserFiles,
  liveTreeCount,
  parseShared,
  parseSource,
  parsersLoaded,
  ParsersNotLoadedError,
  releaseTree,
  retainTree,
  unparsedRanges,
  type Edit,
  type ParserFiles,
  type SyntaxNode,
  type Tree,
  type UnparsedRange,
} from './parser.js';
export { RULE_IDS, RULE_METAS, RULE_MODULES, resolveSeverity, ruleMeta } from './registry.js';
export { docsUrl, formatMessage, templateParts, type RuleMeta } from './rule-kit.js';
export { PATH_RULE_IDS, stepChain, type ChainStep } from './step-chain.js';
export type * from './types.js';
export { fixSource, type FixOutcome } from './fixes/apply.js';
export { suppressionFix, withoutFixes } from './fixes/index.js';
export { ProjectIndex, DEFAULT_MAX_PARSED_FILES, type ProjectIndexOptions } from './project/index.js';
export { memoryHost, type ProjectHost } from './project/host.js';
export { findProjectRoot, ROOT_MARKERS } from './project/root.js';
export { configWithWrappers } from './project/analysis.js';
