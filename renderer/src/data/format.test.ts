import { describe, expect, it } from 'vitest';
import { countOf, formatCount, formatPercent } from './format';

describe('numbers as every view writes them', () => {
  it('groups counts by thousands with commas whatever the system locale', () => {
    // a German system would write 12.345: the views do not follow it, so a count reads the same as in the CLI and reports
    expect(formatCount(12_345)).toBe('12,345');
    expect(formatCount(1_000_000)).toBe('1,000,000');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(12_345)).not.toBe((12_345).toLocaleString('de-DE'));
  });

  it('puts a count with its noun, singular for one', () => {
    expect(countOf(1, 'session')).toBe('1 session');
    expect(countOf(0, 'session')).toBe('0 sessions');
    expect(countOf(20_000, 'event')).toBe('20,000 events');
    expect(countOf(2, 'mismatch', 'mismatches')).toBe('2 mismatches');
  });

  it('writes shares with one decimal, two under 1% (small loss rates matter), and a dash when unknown', () => {
    expect(formatPercent(42.46)).toBe('42.5%');
    expect(formatPercent(0.254)).toBe('0.25%');
    expect(formatPercent(Number.NaN)).toBe('—');
    expect(formatPercent(null)).toBe('—');
  });
});
