import { fail, IMPORT_CHUNK_BYTES, type AppApi, type JournalImportProgress, type JournalImportResult, type Result } from '../../../shared/api';

/** A slice of the file as base64 (FileReader encodes it natively; no string of the whole file is made). */
function base64Of(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(blob);
  });
}

/**
 * Imports a file of any size without holding it whole: `journal.importBegin`, then the file in
 * chunks of IMPORT_CHUNK_BYTES, each sent once the last is answered (answered once its records are
 * journaled, so the page goes at the journal's pace), then `journal.importEnd`. When a chunk fails
 * the import stops there, and the error says what was journaled before it.
 */
export async function importInChunks(api: AppApi, file: Blob & { name: string }, onProgress?: (progress: JournalImportProgress) => void): Promise<Result<JournalImportResult>> {
  const begun = await api.invoke('journal.importBegin', { fileName: file.name, bytes: file.size });
  if (!begun.ok) return begun;
  const { importId } = begun.value;
  // Stops the import at `offset`, saying what is journaled (the host's answer to the abort); when the host no
  // longer knows the import, its last error already said so.
  const stop = async (offset: number, why: Result<never>): Promise<Result<never>> => {
    if (why.ok) return why;
    const aborted = await api.invoke('journal.importAbort', { importId });
    const kept = aborted.ok ? ` The import stopped at byte ${offset}: ${aborted.value.records} records (lines 1–${aborted.value.lines}) read before it stay journaled.` : '';
    return fail(why.error.code, `${why.error.message}${kept}`);
  };
  for (let offset = 0; offset < file.size; offset += IMPORT_CHUNK_BYTES) {
    let data: string;
    try {
      data = await base64Of(file.slice(offset, offset + IMPORT_CHUNK_BYTES));
    } catch (error) {
      // The file can go away or change between choosing and reading it.
      return stop(offset, fail('not_found', `could not be read at byte ${offset} (${error instanceof Error ? error.message : String(error)}).`));
    }
    const sent = await api.invoke('journal.importChunk', { importId, offset, data });
    if (!sent.ok) return stop(offset, sent);
    onProgress?.(sent.value);
  }
  return api.invoke('journal.importEnd', { importId });
}
