/**
 * The floor of a whole CLI process on one file (row (b) of `npm run bench`): a process
 * that starts node, loads tree-sitter (WebAssembly), reads the file, parses it once and
 * exits. It imports only the parser module. Usage: node parse-only.js <file>.
 */
import { readFileSync } from 'node:fs';
import { initParsers, parseSource, releaseTree } from '../rules/parser.js';

const path = process.argv[2]!;
await initParsers();
releaseTree(parseSource(readFileSync(path, 'utf8'), path.endsWith('.go') ? 'go' : 'c'));
