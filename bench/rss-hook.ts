/** Preloaded (`node --import`) into a benchmarked process: writes its peak RSS and CPU time to $VFORKLINT_BENCH_RSS_FILE at exit. */
import { writeFileSync } from 'node:fs';

const out = process.env.VFORKLINT_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ rssBytes: u.maxRSS * 1024, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
  });
}
