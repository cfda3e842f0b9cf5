/**
 * vforklint/no-ffi-vfork (JavaScript and TypeScript): FFI bindings that hand `vfork`, or
 * `clone`/`syscall` used with CLONE_VM, to JavaScript. A child created that way runs the
 * JavaScript engine (its GC, JIT and signal handlers) on the parent's stack and heap while
 * the parent is frozen; nothing JavaScript can do in that child is safe.
 *
 * Recognised bindings (the function name is read from a string or a property key):
 *   koffi       lib.func('int vfork()'), lib.func('vfork', 'int', []),
 *               lib.func('__stdcall', 'vfork', ...), lib.cdecl/stdcall/fastcall(...)
 *   ffi-napi    ffi.Library('libc', { vfork: ['int', []] })   (also `new Library(...)`)
 *   ffi-rs      define({ vfork: {...} }), load({ funcName: 'vfork', ... })
 *   bun:ffi     dlopen(path, { vfork: { args: [], returns: 'int' } })
 *   Deno        Deno.dlopen(path, { vfork: { parameters: [], result: 'i32' } })
 * `vfork`/`__vfork`/`__libc_vfork` are always reported. `clone`, `__clone`, `syscall` and
 * the other clone and raw syscall spellings of rules/fork-spellings.ts (and `clone3`) are
 * reported when the same file mentions `CLONE_VM` (an identifier, property or string):
 * binding `syscall` to call getpid is harmless, binding it next to CLONE_VM is not.
 */
import type { Rule } from 'eslint';
import { spellingNames } from '../rules/fork-spellings.js';

interface Node {
  type: string;
  [key: string]: unknown;
}

/** The C spellings of rules/fork-spellings.ts: vfork by name; clone and the raw syscall entries with CLONE_VM. */
const VFORK_NAMES = new Set(spellingNames('c', ['vfork']));
const CLONE_NAMES = new Set([...spellingNames('c', ['clone-fn', 'clone-args', 'syscall']), 'clone3']);
const KOFFI_METHODS = new Set(['func', 'cdecl', 'stdcall', 'fastcall', 'thiscall']);
const KOFFI_CONVENTIONS = new Set(['__cdecl', '__stdcall', '__fastcall', '__thiscall']);
const TABLE_FUNCTIONS = new Set(['Library', 'dlopen', 'define']);

/** The value of a string literal or a template literal without substitutions. */
function stringValue(node: unknown): string | undefined {
  const n = node as Node | undefined;
  if (!n) return undefined;
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral' && Array.isArray(n.expressions) && n.expressions.length === 0) {
    const quasis = n.quasis as Array<{ value: { cooked: string | null } }>;
    return quasis[0]?.value.cooked ?? undefined;
  }
  return undefined;
}

function propertyName(node: Node): string | undefined {
  const key = node.key as Node | undefined;
  if (!key) return undefined;
  if (!node.computed && key.type === 'Identifier') return key.name as string;
  return stringValue(key);
}

const TS_WRAPPERS = new Set(['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion']);

/** `{...} as const`, `{...} satisfies T`: the expression inside TypeScript's wrappers. */
function unwrap(node: Node | undefined): Node | undefined {
  let n = node;
  while (n && TS_WRAPPERS.has(n.type)) n = n.expression as Node;
  return n;
}

function calleeName(callee: Node): { name: string; object?: string } | undefined {
  if (callee.type === 'Identifier') return { name: callee.name as string };
  if (callee.type === 'MemberExpression') {
    const property = callee.property as Node;
    const name = !callee.computed && property.type === 'Identifier' ? (property.name as string) : stringValue(property);
    const object = callee.object as Node;
    return name ? { name, ...(object.type === 'Identifier' ? { object: object.name as string } : {}) } : undefined;
  }
  return undefined;
}

/** The C function a koffi declaration names: a bare name, or the identifier before `(` in a prototype. */
export function koffiFunctionName(declaration: string): string | undefined {
  const bare = /^\s*([A-Za-z_]\w*)\s*$/.exec(declaration);
  if (bare) return bare[1];
  const proto = /([A-Za-z_]\w*)\s*\(/.exec(declaration);
  return proto?.[1];
}

interface Binding {
  node: Node;
  name: string;
  library: string;
}

export const noFfiVfork: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow FFI bindings that expose vfork, or clone/syscall with CLONE_VM, to JavaScript.',
      url: 'https://github.com/vforklint/vforklint/blob/main/docs/rules/no-ffi-vfork.md',
      recommended: true,
    },
    messages: {
      vfork:
        '`{{name}}` is bound through FFI ({{library}}): its child would run the JavaScript engine on this process\'s stack and heap, and nothing JavaScript does there is safe. Start processes with `child_process.spawn` instead.',
      cloneVm:
        '`{{name}}` is bound through FFI ({{library}}) in a file that uses CLONE_VM: a child sharing this process\'s memory would run the JavaScript engine on the parent\'s stack. Start processes with `child_process.spawn` instead.',
    },
    schema: [],
    languages: ['js/js'],
  } as Rule.RuleMetaData,

  create(context) {
    const cloneBindings: Binding[] = [];
    let cloneVmSeen = false;

    const bind = (node: Node, name: string, library: string) => {
      if (VFORK_NAMES.has(name)) context.report({ node: node as never, messageId: 'vfork', data: { name, library } });
      else if (CLONE_NAMES.has(name)) cloneBindings.push({ node, name, library });
    };

    const bindTable = (expression: Node | undefined, library: string) => {
      const table = unwrap(expression);
      if (!table || table.type !== 'ObjectExpression') return;
      for (const p of table.properties as Node[]) {
        if (p.type !== 'Property') continue;
        const name = propertyName(p);
        if (name) bind(p, name, library);
      }
    };

    const onCall = (node: Node) => {
      const callee = calleeName(node.callee as Node);
      if (!callee) return;
      const args = node.arguments as Node[];
      if (KOFFI_METHODS.has(callee.name) && (node.callee as Node).type === 'MemberExpression') {
        let declaration = stringValue(args[0]);
        if (declaration !== undefined && KOFFI_CONVENTIONS.has(declaration.trim())) declaration = stringValue(args[1]);
        const name = declaration === undefined ? undefined : koffiFunctionName(declaration);
        if (name) bind(node, name, 'koffi');
        return;
      }
      if (TABLE_FUNCTIONS.has(callee.name)) {
        const library =
          callee.name === 'Library'
            ? 'ffi-napi Library'
            : callee.name === 'define'
              ? 'ffi-rs define'
              : callee.object === 'Deno'
                ? 'Deno.dlopen'
                : 'bun:ffi dlopen';
        for (const a of args) bindTable(a, library);
        return;
      }
      if (callee.name === 'load') {
        for (const arg of args) {
          const a = unwrap(arg);
          if (!a || a.type !== 'ObjectExpression') continue;
          for (const p of a.properties as Node[]) {
            if (p.type === 'Property' && propertyName(p) === 'funcName') {
              const name = stringValue(unwrap(p.value as Node));
              if (name) bind(p, name, 'ffi-rs load');
            }
          }
        }
      }
    };

    return {
      CallExpression: (node) => onCall(node as unknown as Node),
      NewExpression: (node) => onCall(node as unknown as Node),
      Identifier: (node) => {
        if ((node as unknown as Node).name === 'CLONE_VM') cloneVmSeen = true;
      },
      Literal: (node) => {
        const v = (node as unknown as Node).value;
        if (typeof v === 'string' && /\bCLONE_VM\b/.test(v)) cloneVmSeen = true;
      },
      'Program:exit': () => {
        if (!cloneVmSeen) return;
        for (const b of cloneBindings) context.report({ node: b.node as never, messageId: 'cloneVm', data: { name: b.name, library: b.library } });
      },
    };
  },
};
