import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppService } from './app-service';
import { saveStream } from './save-file';

describe('saving an export to a file', () => {
  it('streams every piece into the file under its name only once whole; a failing source leaves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-save-'));
    const piece = 'x'.repeat(64 * 1024) + '\n';
    async function* pieces(name: string, count: number, failAt = -1) {
      for (let i = 0; i < count; i++) {
        if (i === failAt) throw new Error('the journal thread went away');
        yield piece;
        // while it is written, the file is only the partial one
        if (i === 5) expect(existsSync(join(dir, name))).toBe(false);
      }
    }
    const bytes = await saveStream(pieces('a.ndjson', 200), join(dir, 'a.ndjson'));
    expect(bytes).toBe(200 * piece.length);
    expect(readFileSync(join(dir, 'a.ndjson'), 'utf8')).toBe(piece.repeat(200));
    expect(existsSync(join(dir, 'a.ndjson.partial'))).toBe(false);

    await expect(saveStream(pieces('b.ndjson', 200, 50), join(dir, 'b.ndjson'))).rejects.toThrow(/could not save the export to .*b\.ndjson: the journal thread went away/);
    expect(existsSync(join(dir, 'b.ndjson'))).toBe(false);
    expect(existsSync(join(dir, 'b.ndjson.partial'))).toBe(false);
  });

  it('is refused by a host without a save dialog (the browser downloads from the host)', async () => {
    const service = new AppService({ transport: 'browser', version: 't' });
    const result = await service.invoke('journal.saveAs', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('downloads from the host') } });
    service.close();
  });
});
