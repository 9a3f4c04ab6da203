import type { SessionVerdict } from '../analysis/verdict';
import type { CountedField, Expect } from './schema';

/** What `expect` is checked against: EchoScope's verdict plus the server's generation record. */
export interface ExpectSubject {
  verdict: SessionVerdict;
  /** The generation record's final_text (null when unresolved or unknown). */
  finalText: string | null;
}

export interface ExpectFailure {
  /** `status`, `counts.duplicates`, `anomalies.present`, … */
  field: string;
  /** Readable: `expected status completed, got truncated`. */
  reason: string;
}

/** Glob with `*` and `?` (session ids have no other special characters worth supporting). */
export function matchesSession(pattern: string, sessionId: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === sessionId;
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );
  return regex.test(sessionId);
}

/** `">0"`, `"<=3"`, `5` (equality) → a test and its spelling for messages. */
export function compare(value: number, comparison: number | string): boolean {
  if (typeof comparison === 'number') return value === comparison;
  const match = /^\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(comparison);
  if (!match) return false;
  const bound = Number(match[2]);
  switch (match[1]) {
    case '==':
      return value === bound;
    case '!=':
      return value !== bound;
    case '<=':
      return value <= bound;
    case '>=':
      return value >= bound;
    case '<':
      return value < bound;
    default:
      return value > bound;
  }
}

function spell(comparison: number | string): string {
  return typeof comparison === 'number' ? `== ${comparison}` : comparison.trim().replace(/^(==|!=|<=|>=|<|>)\s*/, '$1 ');
}

export function countedValue(verdict: SessionVerdict, field: CountedField): number {
  return field === 'gaps' ? verdict.gaps.length : verdict[field];
}

function preview(text: string): string {
  const flat = JSON.stringify(text);
  return flat.length > 60 ? `${flat.slice(0, 57)}…"` : flat;
}

/** Every way the subject misses the expectation; empty when it holds. */
export function evaluateExpect(expect: Expect, subject: ExpectSubject): ExpectFailure[] {
  const failures: ExpectFailure[] = [];
  const v = subject.verdict;
  if (expect.status !== undefined) {
    const allowed = Array.isArray(expect.status) ? expect.status : [expect.status];
    if (!allowed.includes(v.status)) failures.push({ field: 'status', reason: `expected status ${allowed.join(' or ')}, got ${v.status}` });
  }
  if (expect.terminationCode !== undefined && v.terminationCode !== expect.terminationCode) {
    failures.push({ field: 'terminationCode', reason: `expected termination code ${String(expect.terminationCode)}, got ${String(v.terminationCode)}` });
  }
  for (const [field, comparison] of Object.entries(expect.counts ?? {}) as [CountedField, number | string][]) {
    const value = countedValue(v, field);
    if (!compare(value, comparison)) failures.push({ field: `counts.${field}`, reason: `expected ${field} ${spell(comparison)}, got ${value}` });
  }
  if (expect.anomalies) {
    const kinds = new Set(v.anomalies.map((a) => a.kind));
    const missing = expect.anomalies.present.filter((k) => !kinds.has(k));
    const unwanted = expect.anomalies.absent.filter((k) => kinds.has(k));
    if (missing.length > 0) failures.push({ field: 'anomalies.present', reason: `expected anomalies ${missing.join(', ')}, none reported` });
    if (unwanted.length > 0) {
      const detail = unwanted.map((k) => `${k} ×${v.anomalies.filter((a) => a.kind === k).length}`).join(', ');
      failures.push({ field: 'anomalies.absent', reason: `expected no ${unwanted.join(', ')}, got ${detail}` });
    }
  }
  if (expect.textEqualsFinal !== undefined) {
    const equal = subject.finalText !== null && v.text === subject.finalText;
    if (equal !== expect.textEqualsFinal) {
      failures.push({
        field: 'textEqualsFinal',
        reason: expect.textEqualsFinal
          ? subject.finalText === null
            ? 'expected text to equal final_text, but the record has no final_text'
            : `expected text to equal final_text: text ${preview(v.text)} vs final_text ${preview(subject.finalText)}`
          : 'expected text to differ from final_text, but they are equal',
      });
    }
  }
  if (expect.timeToTerminalMs !== undefined) {
    if (v.durationMs === null) failures.push({ field: 'timeToTerminalMs', reason: 'expected a terminal event, none arrived' });
    else {
      const total = (v.ttftMs ?? 0) + v.durationMs;
      if (!compare(total, expect.timeToTerminalMs)) {
        failures.push({ field: 'timeToTerminalMs', reason: `expected time to terminal ${spell(expect.timeToTerminalMs)} ms, got ${Math.round(total)} ms` });
      }
    }
  }
  return failures;
}
