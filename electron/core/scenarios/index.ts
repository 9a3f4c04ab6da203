/** Scenario checks (`echoscope check`), their reporters, and the App API's scenario runner. */
export { checkScenario, runCheck, type CheckOptions } from './check-runner';
export type { CheckReport, ScenarioCheck, SessionCheck, SessionFailure } from './report';
export { loadSuite, parseScenarioText, builtinScenarios, ScenarioLoadError } from './load';
export { formatList, formatScenario, formatScores, summaryLine } from './reporters/list';
export { formatJunit, xmlEscape } from './reporters/junit';
export { formatHtml } from './reporters/html';
export { REPORTERS, writeReports, createRunFolder, type ReporterName } from './reporters/output';
export { ScenarioRunner, type ScenarioRunnerOptions } from './scenario-runner';
