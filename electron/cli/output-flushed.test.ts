import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { outputFlushed } from './output-flushed';

/**
 * The CLI exits once what it printed is out (electron/cli/index.ts). A reader slower than the
 * command is a stream whose writes are not yet taken: here a real Writable whose write callbacks
 * the test holds, as a full pipe holds them.
 */
function slowReader() {
  const held: Array<() => void> = [];
  const taken: string[] = [];
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, done) {
      held.push(() => {
        taken.push(chunk.toString());
        done();
      });
    },
  });
  return { stream, taken, release: () => held.splice(0).forEach((take) => take()) };
}

describe('outputFlushed', () => {
  it('waits until a slow reader has taken every line written, then resolves', async () => {
    const reader = slowReader();
    for (let i = 0; i < 100; i++) reader.stream.write(`line ${i}\n`);
    let flushed = false;
    const done = outputFlushed([reader.stream]).then(() => (flushed = true));
    // whatever runs meanwhile, nothing has been taken, so the exit must wait
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    // the reader takes everything, one write after another
    while (!flushed) {
      reader.release();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await done;
    expect(reader.taken.join('')).toBe(Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
  });

  it('waits for every stream given; one with nothing pending does not hold it', async () => {
    const idle = slowReader();
    const busy = slowReader();
    busy.stream.write('last line\n');
    let flushed = false;
    const done = outputFlushed([idle.stream, busy.stream]).then(() => (flushed = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    busy.release();
    await new Promise<void>((resolve) => setImmediate(resolve));
    busy.release();
    await done;
    expect(busy.taken).toEqual(['last line\n', '']);
  });
});
