import { DOMParser } from '@xmldom/xmldom';

/**
 * Reads a JUnit XML file back and checks it has the shape CI servers expect (the Ant/Jenkins
 * JUnit schema that GitHub's, GitLab's and Jenkins' test reporters read): a `testsuites` root of
 * `testsuite`s, each with name, tests, failures, errors, skipped, time and an ISO timestamp
 * without zone, an optional `properties` first, then `testcase`s with name, classname and time,
 * each holding at most one `failure` or `error` (with `message` and `type`) or `skipped` (with `message`); counts
 * that add up; times as plain non-negative decimals (seconds). Any departure is thrown, named.
 */

export interface JunitCase {
  name: string;
  classname: string;
  time: number;
  failure: { message: string; type: string; text: string } | null;
  error: { message: string; type: string; text: string } | null;
  /** A `<skipped message>`'s message. */
  skipped: string | null;
}

export interface JunitSuite {
  name: string;
  time: number;
  timestamp: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  properties: Record<string, string>;
  cases: JunitCase[];
}

export interface JunitReport {
  name: string;
  time: number;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  suites: JunitSuite[];
}

const DECIMAL = /^\d+(\.\d+)?$/;
const INTEGER = /^\d+$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

function children(element: Element): Element[] {
  const out: Element[] = [];
  for (let node = element.firstChild; node !== null; node = node.nextSibling) if (node.nodeType === 1) out.push(node as Element);
  return out;
}

function attribute(element: Element, name: string, pattern?: RegExp): string {
  if (!element.hasAttribute(name)) throw new Error(`<${element.nodeName}> has no ${name} attribute`);
  const value = element.getAttribute(name) ?? '';
  if (pattern && !pattern.test(value)) throw new Error(`<${element.nodeName} ${name}="${value}"> does not match ${pattern}`);
  return value;
}

function outcome(element: Element): { message: string; type: string; text: string } {
  return { message: attribute(element, 'message'), type: attribute(element, 'type'), text: element.textContent ?? '' };
}

export function parseJunit(xml: string): JunitReport {
  const problems: string[] = [];
  const doc = new DOMParser({ errorHandler: (level: string, message: string) => problems.push(`${level}: ${message}`) }).parseFromString(xml, 'text/xml');
  if (problems.length > 0) throw new Error(`not well-formed XML: ${problems.join('; ')}`);
  const root = doc.documentElement;
  if (!root || root.nodeName !== 'testsuites') throw new Error(`the root is <${root?.nodeName}>, not <testsuites>`);
  const suites = children(root).map((suite): JunitSuite => {
    if (suite.nodeName !== 'testsuite') throw new Error(`<testsuites> holds a <${suite.nodeName}>`);
    const properties: Record<string, string> = {};
    const cases: JunitCase[] = [];
    children(suite).forEach((child, index) => {
      if (child.nodeName === 'properties') {
        if (index !== 0) throw new Error('<properties> must come first in a <testsuite>');
        for (const property of children(child)) {
          if (property.nodeName !== 'property') throw new Error(`<properties> holds a <${property.nodeName}>`);
          properties[attribute(property, 'name')] = attribute(property, 'value');
        }
        return;
      }
      if (child.nodeName === 'system-out' || child.nodeName === 'system-err') return;
      if (child.nodeName !== 'testcase') throw new Error(`<testsuite> holds a <${child.nodeName}>`);
      const outcomes = children(child).filter((c) => c.nodeName !== 'system-out' && c.nodeName !== 'system-err');
      for (const o of outcomes) if (!['failure', 'error', 'skipped'].includes(o.nodeName)) throw new Error(`<testcase> holds a <${o.nodeName}>`);
      if (outcomes.length > 1) throw new Error(`<testcase name="${child.getAttribute('name')}"> has ${outcomes.length} outcomes`);
      const failure = outcomes.find((o) => o.nodeName === 'failure');
      const error = outcomes.find((o) => o.nodeName === 'error');
      const skipped = outcomes.find((o) => o.nodeName === 'skipped');
      cases.push({
        name: attribute(child, 'name'),
        classname: attribute(child, 'classname'),
        time: Number(attribute(child, 'time', DECIMAL)),
        failure: failure ? outcome(failure) : null,
        error: error ? outcome(error) : null,
        skipped: skipped ? attribute(skipped, 'message') : null,
      });
    });
    const parsed: JunitSuite = {
      name: attribute(suite, 'name'),
      time: Number(attribute(suite, 'time', DECIMAL)),
      timestamp: attribute(suite, 'timestamp', TIMESTAMP),
      tests: Number(attribute(suite, 'tests', INTEGER)),
      failures: Number(attribute(suite, 'failures', INTEGER)),
      errors: Number(attribute(suite, 'errors', INTEGER)),
      skipped: Number(attribute(suite, 'skipped', INTEGER)),
      properties,
      cases,
    };
    if (parsed.tests !== cases.length) throw new Error(`<testsuite name="${parsed.name}"> says tests="${parsed.tests}" and holds ${cases.length}`);
    const failed = cases.filter((c) => c.failure).length;
    if (parsed.failures !== failed) throw new Error(`<testsuite name="${parsed.name}"> says failures="${parsed.failures}" and holds ${failed}`);
    const errored = cases.filter((c) => c.error).length;
    if (parsed.errors !== errored) throw new Error(`<testsuite name="${parsed.name}"> says errors="${parsed.errors}" and holds ${errored}`);
    const skippedCases = cases.filter((c) => c.skipped !== null).length;
    if (parsed.skipped !== skippedCases) throw new Error(`<testsuite name="${parsed.name}"> says skipped="${parsed.skipped}" and holds ${skippedCases}`);
    return parsed;
  });
  const report: JunitReport = {
    name: root.getAttribute('name') ?? '',
    time: Number(attribute(root, 'time', DECIMAL)),
    tests: Number(attribute(root, 'tests', INTEGER)),
    failures: Number(attribute(root, 'failures', INTEGER)),
    errors: Number(attribute(root, 'errors', INTEGER)),
    skipped: root.hasAttribute('skipped') ? Number(attribute(root, 'skipped', INTEGER)) : 0,
    suites,
  };
  const sum = (pick: (s: JunitSuite) => number) => suites.reduce((n, s) => n + pick(s), 0);
  for (const [name, total] of [
    ['tests', sum((s) => s.tests)],
    ['failures', sum((s) => s.failures)],
    ['errors', sum((s) => s.errors)],
    ['skipped', sum((s) => s.skipped)],
  ] as const) {
    if (report[name] !== total) throw new Error(`<testsuites ${name}="${report[name]}"> but its suites add up to ${total}`);
  }
  return report;
}
