/**
 * Writing a fixed file without ever losing a byte: resolve symbolic links, write a
 * temporary file beside the target with the same mode, check that the target still holds
 * exactly what was read, then rename over it.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type WriteOutcome = { ok: true } | { ok: false; reason: string };

export async function writeAtomically(path: string, originalBytes: Buffer, originalMtimeMs: number, newText: string): Promise<WriteOutcome> {
  let real: string;
  let tmp: string | null = null;
  try {
    real = await fsp.realpath(path);
    const st = await fsp.stat(real);
    const mode = st.mode & 0o7777;
    // A rename would replace a read-only file even where its mode forbids writing (and
    // always as root): respect the mode the user set.
    if ((mode & 0o222) === 0) return { ok: false, reason: `the file is read-only (mode ${mode.toString(8).padStart(4, '0')}); nothing written` };
    await fsp.access(real, fsConstants.W_OK);
    tmp = join(dirname(real), `.${basename(real)}.vforklint-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    await fsp.writeFile(tmp, newText, { encoding: 'utf8', flag: 'wx', mode });
    await fsp.chmod(tmp, mode);
    try {
      await fsp.chown(tmp, st.uid, st.gid);
    } catch {
      /* not permitted: keep our ownership */
    }
    const now = await fsp.stat(real);
    const current = await fsp.readFile(real);
    if (now.mtimeMs !== originalMtimeMs || !current.equals(originalBytes)) {
      await fsp.unlink(tmp);
      return { ok: false, reason: 'the file changed on disk while vforklint was fixing it; nothing written (run again)' };
    }
    await fsp.rename(tmp, real);
    return { ok: true };
  } catch (e) {
    if (tmp) await fsp.unlink(tmp).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    return { ok: false, reason: `cannot write the fixed file (${err.code ? `${err.code}: ` : ''}${err.message}); the original is untouched` };
  }
}
