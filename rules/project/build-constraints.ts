/**
 * Which Go files of a package build for linux/amd64 (the platform whose vfork the analysis
 * models): file-name suffixes (`_linux`, `_amd64`, `_windows_arm64`) and `//go:build` lines.
 */

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos']);
const KNOWN_ARCH = new Set(['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'ppc64', 'ppc64le', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm']);

/** The tags true on the modelled platform. `cgo` counts as set; release tags (`go1.21`) all hold. */
function tagHolds(tag: string): boolean {
  if (tag === 'linux' || tag === 'amd64' || tag === 'unix' || tag === 'gc' || tag === 'cgo') return true;
  if (/^go1\.\d+$/.test(tag)) return true;
  return false;
}

/** Does the file name allow linux/amd64? (`x_linux.go`, `x_amd64.go`, `x_linux_amd64.go`, not `x_windows.go`.) */
export function fileNameBuilds(fileName: string): boolean {
  const base = fileName.replace(/^.*\//, '').replace(/\.go$/, '').replace(/_test$/, '');
  const parts = base.split('_');
  if (parts.length < 2) return true;
  const last = parts[parts.length - 1];
  const before = parts.length >= 3 ? parts[parts.length - 2] : undefined;
  if (before !== undefined && KNOWN_OS.has(before) && KNOWN_ARCH.has(last)) return before === 'linux' && last === 'amd64';
  if (KNOWN_OS.has(last)) return last === 'linux';
  if (KNOWN_ARCH.has(last)) return last === 'amd64';
  return true;
}

/** Evaluate a `//go:build` expression for linux/amd64 (`linux && !arm64`, `(darwin || linux) && cgo`). */
export function buildExpressionHolds(expr: string): boolean {
  const tokens = expr.match(/&&|\|\||!|\(|\)|[\w.]+/g) ?? [];
  let i = 0;
  const or = (): boolean => {
    let v = and();
    while (tokens[i] === '||') {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (tokens[i] === '&&') {
      i++;
      const r = not();
      v = v && r;
    }
    return v;
  };
  const not = (): boolean => {
    const t = tokens[i++];
    if (t === '!') return !not();
    if (t === '(') {
      const v = or();
      if (tokens[i] === ')') i++;
      return v;
    }
    return t !== undefined && tagHolds(t);
  };
  if (!tokens.length) return true;
  return or();
}

/** Does a Go file build for linux/amd64, by its name and its `//go:build` line (read before the package clause)? */
export function goFileBuilds(fileName: string, text: string): boolean {
  if (!fileNameBuilds(fileName)) return false;
  const head = text.slice(0, Math.max(0, text.search(/^package\s/m)) || 4096);
  const line = /^\/\/go:build\s+(.+)$/m.exec(head);
  return line ? buildExpressionHolds(line[1].trim()) : true;
}
