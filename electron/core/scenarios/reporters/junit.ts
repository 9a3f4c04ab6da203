import { imperfectKinds } from '../../../../shared/scenario';
import type { CheckReport } from '../report';

/**
 * JUnit XML as CI servers read it (Jenkins, GitLab, GitHub test reporters): one <testsuite>
 * per scenario, one <testcase> per session plus one for detection quality; a <failure> lists
 * every reason. Only the five XML entities and forbidden control characters need care.
 *
 * Times are seconds: a session's testcase takes how long EchoScope watched its stream (first
 * event to first terminal, or to the last event without one: `SessionCheck.durationMs`; 0 for
 * a session it never saw), a suite the scenario's run from its start to its verdicts, the root
 * the whole check. Sessions of a scenario stream at once, so a suite's time is not their sum.
 */

export function xmlEscape(text: string): string {
  // XML 1.0 forbids most control characters even escaped; a chunk can carry them.
  return [...text]
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      const allowed = code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
      return allowed ? ch : '\uFFFD';
    })
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Milliseconds as JUnit's seconds, to the millisecond (never negative, never an exponent). */
const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

export function formatJunit(report: CheckReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const suites: string[] = [];
  for (const scenario of report.scenarios) {
    const cases: string[] = [];
    let suiteFailures = 0;
    for (const session of scenario.sessions) {
      const attrs = `classname="echoscope.${xmlEscape(scenario.name)}" name="${xmlEscape(session.sessionId)}" time="${seconds(session.durationMs ?? 0)}"`;
      if (session.passed) cases.push(`    <testcase ${attrs}/>`);
      else {
        suiteFailures++;
        const message = session.failures[0]?.reason ?? 'failed';
        const body = session.failures.map((f) => `${f.field}: ${f.reason}`).join('\n');
        cases.push(`    <testcase ${attrs}>\n      <failure message="${xmlEscape(message)}" type="expectation">${xmlEscape(body)}</failure>\n    </testcase>`);
      }
    }
    const imperfect = imperfectKinds(scenario.scores);
    const detection = `classname="echoscope.${xmlEscape(scenario.name)}" name="detection precision and recall" time="0.000"`;
    if (imperfect.length === 0) cases.push(`    <testcase ${detection}/>`);
    else {
      suiteFailures++;
      const body = imperfect.map((k) => `${k}: precision ${scenario.scores[k].precision ?? '-'}, recall ${scenario.scores[k].recall ?? '-'}`).join('\n');
      cases.push(
        `    <testcase ${detection}>\n      <failure message="imperfect detection: ${xmlEscape(imperfect.join(', '))}" type="detection">${xmlEscape(body)}</failure>\n    </testcase>`,
      );
    }
    const suiteErrors = scenario.errors.length > 0 ? 1 : 0;
    if (suiteErrors) {
      cases.push(
        `    <testcase classname="echoscope.${xmlEscape(scenario.name)}" name="scenario" time="0.000">\n      <error message="${xmlEscape(scenario.errors[0]!)}" type="scenario">${xmlEscape(scenario.errors.join('\n'))}</error>\n    </testcase>`,
      );
    }
    const count = cases.length;
    tests += count;
    failures += suiteFailures;
    errors += suiteErrors;
    suites.push(
      [
        `  <testsuite name="${xmlEscape(scenario.name)}" tests="${count}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="0" time="${seconds(scenario.durationMs)}" timestamp="${xmlEscape(scenario.startedAt.replace(/\.\d+Z$/, ''))}">`,
        `    <properties>\n      <property name="seed" value="${scenario.seed}"/>\n    </properties>`,
        ...cases,
        '  </testsuite>',
      ].join('\n'),
    );
  }
  out.push(`<testsuites name="echoscope check ${xmlEscape(report.suite)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds(report.durationMs)}">`);
  out.push(...suites, '</testsuites>', '');
  return out.join('\n');
}
