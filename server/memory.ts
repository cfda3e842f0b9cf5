/**
 * tree-sitter trees live in native memory (about 7 MB for a 10,000-line file) that V8
 * does not see, so it does not collect dropped trees (ours, and the ones the core parses
 * to check a fix) until its own heap grows: with many files open that is hundreds of MB.
 * After work that dropped trees, run a full collection, at most once per interval, when
 * the server is idle.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

let collect: (() => void) | undefined;
try {
  setFlagsFromString('--expose-gc');
  collect = runInNewContext('gc') as () => void;
} catch {
  collect = undefined;
}

const MIN_INTERVAL_MS = 2000;
const IDLE_MS = 300;
let timer: NodeJS.Timeout | undefined;
let last = 0;

/** Ask for a collection of native garbage soon (coalesced, throttled, off the hot path). */
export function scheduleNativeGc(): void {
  if (!collect || timer) return; // one pending collection serves every request until it runs
  const wait = Math.max(IDLE_MS, last + MIN_INTERVAL_MS - Date.now());
  timer = setTimeout(() => {
    timer = undefined;
    last = Date.now();
    collect!();
  }, wait);
  timer.unref();
}
