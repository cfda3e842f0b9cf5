/**
 * "files done/total" on stderr, only when stderr is a terminal, only for runs that last
 * (first drawn after a delay), and erased before the report is printed.
 */
export class Progress {
  private last = 0;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly delayMs: number,
  ) {}

  static create(enabled: boolean): Progress | null {
    const stream = process.stderr;
    if (!enabled || !stream.isTTY || process.env.VFORKLINT_PROGRESS === '0') return null;
    const delay = Number(process.env.VFORKLINT_PROGRESS_DELAY_MS ?? 400);
    return new Progress(stream, Number.isFinite(delay) ? delay : 400);
  }

  update(done: number, total: number): void {
    const now = Date.now();
    if (now - this.started < this.delayMs) return;
    if (this.drawn && now - this.last < 100 && done !== total) return;
    this.last = now;
    this.drawn = true;
    const pct = total ? Math.floor((done * 100) / total) : 100;
    this.stream.write(`\r\u001b[2Kvforklint: ${done}/${total} files (${pct}%)`);
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }
}
