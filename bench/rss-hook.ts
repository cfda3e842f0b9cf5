/** Preloaded (`node --import`) into a benchmarked process: writes its peak RSS to $VFORKLINT_BENCH_RSS_FILE at exit. */
import { writeFileSync } from 'node:fs';

const out = process.env.VFORKLINT_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    writeFileSync(out, String(process.resourceUsage().maxRSS * 1024));
  });
}
