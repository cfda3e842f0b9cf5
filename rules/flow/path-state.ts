/**
 * Path states after a vfork-style fork (docs/rules.md, section 3).
 *
 *                      fork site
 *        PRE  ─────────────────────────▶  BOTH   (no test of the result yet:
 *   (before the fork:                      │      child and parent both run it)
 *    parent only, safe)                    │
 *                 pid == 0 / r1 == 0       │   pid > 0 / r1 != 0 && err1 == 0
 *              ┌───────────────────────────┼──────────────────────────────┐
 *              ▼                           │ pid < 0 / err1 != 0          ▼
 *            CHILD                         ▼                            PARENT
 *   returns ─▶ child-returns            FAILED (parent only)    any work ─▶ parent-reuses-frame
 *   writes  ─▶ child-writes-shared         │                      (raw sites: the frame is
 *   calls   ─▶ child-unsafe-call           └─ same as PARENT ──▶    the one the child used)
 *   allocs  ─▶ child-allocates (Go)
 *
 * A path ends at return, at the end of the body, at a call that does not return
 * (_exit, exit_group, noreturn helpers), and at `for {}`. An exec does not end a path: it
 * returns when it fails, and the child paths after it are tagged with it (FAILED_EXEC).
 * A condition that is not a test of the fork result leaves the state unchanged on both edges.
 *
 * A set of states is a bit mask. The flow pass carries, besides the mask, what each path
 * knows (`Paths`): which lvalues hold the fork's results and how they were re-encoded
 * (`pid--` leaves the child holding -1), and which exec a child path failed through.
 */

export const PRE = 1;
export const BOTH = 2;
export const CHILD = 4;
export const PARENT = 8;
export const FAILED = 16;

/** Outcomes a condition can single out (BOTH splits into these). */
export const ALL_OUTCOMES = CHILD | PARENT | FAILED;

/** States in which the child may be running. */
export const CHILD_SIDE = BOTH | CHILD;
/** States in which only the parent runs, after the fork. */
export const PARENT_SIDE = PARENT | FAILED;

/** The fork call executes: every path still before the fork now runs in both processes. */
export function forkHappens(mask: number): number {
  return (mask & ~PRE) | (mask & PRE ? BOTH : 0);
}

/**
 * Child-side paths that only a failed exec reaches. Recorded for rules as this bit instead
 * of BOTH/CHILD: the hazards on them are reported once, at the exec (RULES section 3).
 */
export const FAILED_EXEC = 32;

/** Keep the paths on which a test of the fork result can come out as `outcomes`. */
export function restrict(mask: number, outcomes: number): number {
  let out = mask & PRE;
  out |= mask & ALL_OUTCOMES & outcomes;
  if (mask & BOTH) out |= outcomes === ALL_OUTCOMES ? BOTH : outcomes;
  return out;
}

export function describe(mask: number): string {
  const parts: string[] = [];
  if (mask & PRE) parts.push('before fork');
  if (mask & BOTH) parts.push('both');
  if (mask & CHILD) parts.push('child');
  if (mask & PARENT) parts.push('parent');
  if (mask & FAILED) parts.push('failed');
  return parts.join('|') || 'unreachable';
}

// ----- per-path knowledge -------------------------------------------------------------

/** Which of the fork's results a value is: the pid (C return value, Go r1) or the errno (Go err1). */
export type ResultRole = 'pid' | 'err';

/**
 * An lvalue's value as a function of a fork result: `sign * result + offset`, or the
 * constant `offset` when `sign` is 0.
 */
export interface Binding {
  role: ResultRole;
  sign: 1 | -1 | 0;
  offset: number;
}

/** Offsets beyond this are forgotten (a `pid++` in a loop must not grow the state forever). */
const MAX_OFFSET = 64;

export function binding(role: ResultRole, sign: 1 | -1 | 0, offset: number): Binding | undefined {
  return Math.abs(offset) > MAX_OFFSET || !Number.isFinite(offset) ? undefined : { role, sign, offset };
}

/** What one group of paths knows. */
export interface Facts {
  /** Normalised lvalue text (`cmd->pid`, `pids[i]`, `r1`) -> its value in terms of the fork result. */
  bindings: ReadonlyMap<string, Binding>;
  /** The exec (node id) through whose failure these child paths came; 0 for none. */
  exec: number;
}

const NO_FACTS: Facts = { bindings: new Map(), exec: 0 };

function factsKey(f: Facts): string {
  if (f.bindings.size === 0) return `${f.exec}`;
  const parts = [...f.bindings].map(([k, b]) => `${k}\u0001${b.role}${b.sign}:${b.offset}`).sort();
  return `${f.exec}\u0002${parts.join('\u0002')}`;
}

/** A set of paths: for each distinct `Facts`, the states of the paths that know them. */
export class Paths {
  private constructor(private readonly entries: ReadonlyMap<string, { facts: Facts; mask: number }>) {}

  static readonly NONE = new Paths(new Map());

  static of(mask: number, facts: Facts = NO_FACTS): Paths {
    return mask ? new Paths(new Map([[factsKey(facts), { facts, mask }]])) : Paths.NONE;
  }

  get isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /** Every state any of the paths is in (tags ignored). */
  get states(): number {
    let m = 0;
    for (const e of this.entries.values()) m |= e.mask;
    return m;
  }

  /** The mask rules see: child-side paths tagged with a failed exec count as FAILED_EXEC. */
  get projection(): number {
    let m = 0;
    for (const e of this.entries.values()) m |= e.facts.exec ? (e.mask & ~CHILD_SIDE) | (e.mask & CHILD_SIDE ? FAILED_EXEC : 0) : e.mask;
    return m;
  }

  /** For each failed exec, the child-side states of the paths it tags. */
  execMasks(): Map<number, number> {
    const out = new Map<number, number>();
    for (const e of this.entries.values()) if (e.facts.exec && e.mask & CHILD_SIDE) out.set(e.facts.exec, (out.get(e.facts.exec) ?? 0) | (e.mask & CHILD_SIDE));
    return out;
  }

  /** A key that is equal exactly when two sets of paths are. */
  get key(): string {
    return [...this.entries].map(([k, e]) => `${k}\u0003${e.mask}`).sort().join('\u0004');
  }

  union(other: Paths): Paths {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    const out = new Map(this.entries);
    for (const [k, e] of other.entries) {
      const prev = out.get(k);
      out.set(k, prev ? { facts: prev.facts, mask: prev.mask | e.mask } : e);
    }
    return new Paths(out);
  }

  /** Does `this` hold every path of `other`? */
  covers(other: Paths): boolean {
    for (const [k, e] of other.entries) {
      const mine = this.entries.get(k);
      if (!mine || (mine.mask | e.mask) !== mine.mask) return false;
    }
    return true;
  }

  /** The paths of `this` that `other` lacks. */
  minus(other: Paths): Paths {
    const out = new Map<string, { facts: Facts; mask: number }>();
    for (const [k, e] of this.entries) {
      const m = e.mask & ~(other.entries.get(k)?.mask ?? 0);
      if (m) out.set(k, { facts: e.facts, mask: m });
    }
    return new Paths(out);
  }

  /** Rebuild every group: `f` returns the parts (mask, facts) it becomes. */
  flatMap(f: (mask: number, facts: Facts) => Array<[number, Facts]>): Paths {
    const out = new Map<string, { facts: Facts; mask: number }>();
    for (const e of this.entries.values()) {
      for (const [mask, facts] of f(e.mask, e.facts)) {
        if (!mask) continue;
        const k = factsKey(facts);
        const prev = out.get(k);
        out.set(k, prev ? { facts: prev.facts, mask: prev.mask | mask } : { facts, mask });
      }
    }
    return new Paths(out);
  }

  mapMask(f: (mask: number, facts: Facts) => number): Paths {
    return this.flatMap((m, facts) => [[f(m, facts), facts]]);
  }

  /** Does any group know something (a binding, an exec tag)? */
  get hasFacts(): boolean {
    for (const e of this.entries.values()) if (e.facts.exec || e.facts.bindings.size) return true;
    return false;
  }

  groups(): Array<{ facts: Facts; mask: number }> {
    return [...this.entries.values()];
  }
}
