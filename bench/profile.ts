/**
 * The top self-time entries of a V8 CPU profile (`node --cpu-prof`), one line each:
 * milliseconds, share, function and where it is (dist/..., node_modules/..., wasm).
 * `npm run bench -- --profile` prints them for row (a); docs/performance.md quotes them.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function summariseProfile(json: string, top = 25): string[] {
  const p = JSON.parse(json) as Profile;
  const timeOf = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) timeOf.set(p.samples[i]!, (timeOf.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const self = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const t = timeOf.get(n.id) ?? 0;
    total += t;
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^wasm:\/\/wasm\/.*/, 'wasm')}${f.url.startsWith('wasm') ? '' : `:${f.lineNumber + 1}`}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + t);
  }
  const lines = [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, t]) => `${(t / 1000).toFixed(0).padStart(6)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
  lines.push(`${(total / 1000).toFixed(0).padStart(6)} ms total (sampled)`);
  return lines;
}
