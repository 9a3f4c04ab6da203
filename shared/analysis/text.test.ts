import { describe, expect, it } from 'vitest';
import { SessionText } from './text';

describe('SessionText', () => {
  it('keeps the arrival order once it differs from the first chunks, whenever the texts were read', () => {
    const text = new SessionText(1000);
    text.firstArrived(1, 'a');
    text.firstArrived(2, 'b');
    expect([text.text(), text.naiveText()]).toEqual(['ab', 'ab']);
    text.arrived('b'); // #2 redelivered
    text.firstArrived(4, 'd'); // ahead of #3
    expect([text.text(), text.naiveText()]).toEqual(['abd', 'abbd']);
    text.firstArrived(3, 'c');
    expect([text.text(), text.naiveText()]).toEqual(['abcd', 'abbdc']);
  });

  it('separates the arrivals at a late first chunk and at the cap', () => {
    const late = new SessionText(1000);
    late.firstArrived(2, 'b');
    late.firstArrived(1, 'a');
    expect([late.text(), late.naiveText()]).toEqual(['ab', 'ba']);

    const capped = new SessionText(4);
    capped.firstArrived(1, 'ab');
    capped.firstArrived(2, 'ab');
    capped.firstArrived(3, 'x'); // over the cap: neither text takes it
    capped.firstArrived(4, ''); // an empty chunk still fits the first chunks
    expect([capped.text(), capped.naiveText(), capped.textTruncated, capped.naiveTextTruncated]).toEqual(['abab', 'abab', true, true]);
  });
});
