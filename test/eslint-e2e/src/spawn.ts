import { spawn } from 'node:child_process';

export function run(cmd: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    spawn(cmd, args, { stdio: 'inherit' }).on('exit', (code: number | null) => resolve(code ?? 1));
  });
}
