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
  let skippedCases = 0;
  // a set-aside session is a skipped testcase with the reason, in its scenario's suite (its own suite when none of the scenario ran)
  const setAside = (name: string): string[] =>
    report.skipped
      .filter((s) => s.name === name)
      .flatMap((s) =>
        s.sessions.map(
          (id) =>
            `    <testcase classname="echoscope.${xmlEscape(name)}" name="${xmlEscape(id)}" time="0.000">\n      <skipped message="${xmlEscape(s.reason)}"/>\n    </testcase>`,
        ),
      );
  for (const scenario of report.scenarios) {
    const skippedHere = setAside(scenario.name);
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
    const count = cases.length + skippedHere.length;
    tests += count;
    failures += suiteFailures;
    errors += suiteErrors;
    skippedCases += skippedHere.length;
    suites.push(
      [
        `  <testsuite name="${xmlEscape(scenario.name)}" tests="${count}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="${skippedHere.length}" time="${seconds(scenario.durationMs)}" timestamp="${xmlEscape(scenario.startedAt.replace(/\.\d+Z$/, ''))}">`,
        `    <properties>\n      <property name="seed" value="${scenario.seed}"/>\n    </properties>`,
        ...cases,
        ...skippedHere,
        '  </testsuite>',
      ].join('\n'),
    );
  }
  for (const skipped of report.skipped.filter((s) => !s.ran)) {
    const cases = setAside(skipped.name);
    tests += cases.length;
    skippedCases += cases.length;
    suites.push(
      [
        `  <testsuite name="${xmlEscape(skipped.name)}" tests="${cases.length}" failures="0" errors="0" skipped="${cases.length}" time="0.000" timestamp="${xmlEscape(report.startedAt.replace(/\.\d+Z$/, ''))}">`,
        ...cases,
        '  </testsuite>',
      ].join('\n'),
    );
  }
  out.push(
    `<testsuites name="echoscope check ${xmlEscape(report.suite)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skippedCases}" time="${seconds(report.durationMs)}">`,
  );
  out.push(...suites, '</testsuites>', '');
  return out.join('\n');
}
