import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { AppError } from '../../../shared/api';

/**
 * Writes an export to the file the user chose, piece by piece as the journal reads it (the write
 * stream's back-pressure paces the reading). It goes to `PATH.partial` first and is renamed once
 * whole: a failed or interrupted export never leaves a cut file under the chosen name. Returns
 * the bytes written.
 */
export async function saveStream(pieces: AsyncIterable<string>, path: string): Promise<number> {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial, { flags: 'w' });
  let failure: Error | null = null;
  out.on('error', (error) => (failure ??= error));
  let bytes = 0;
  try {
    for await (const piece of pieces) {
      if (failure !== null) break;
      bytes += Buffer.byteLength(piece);
      if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', resolve).once('error', () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(resolve));
    if (failure !== null) throw failure;
    await rename(partial, path);
    return bytes;
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw new AppError('internal', `could not save the export to ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
