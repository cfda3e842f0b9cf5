// koffi is a run-time dependency of a real project; declared here so the sample needs none.
declare const koffi: { load(path: string): { func(declaration: string): unknown } };

interface Libc {
  getpid: () => number;
}

const lib = koffi.load('libc.so.6');
export const libc: Libc = { getpid: lib.func('int getpid()') as () => number };
export const vfork = lib.func('int vfork()') as () => number;
