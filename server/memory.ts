/**
 * Trees live in WebAssembly memory, which V8 neither sees nor frees: the server's own
 * trees are released when replaced or dropped, and the core's when it moves on. A tree a
 * lazily computed fix still needs is released when its findings are garbage-collected
 * (a FinalizationRegistry), and V8 does not collect them until its own heap grows.
 * After work that dropped such results, run a full collection, at most once per
 * interval, when the server is idle.
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
