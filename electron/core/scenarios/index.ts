/** Scenario checks (`echoscope check`), their reporters, and the App API's scenario runner. */
export { checkScenario, runCheck, type CheckOptions } from './check-runner';
export type { CheckReport, PictureFrame, ScenarioCheck, SessionCheck, SessionFailure, SessionPicture, SkippedScenario } from './report';
export { checkReport, judgeScenario, SessionFrames, type PlayedScenario } from './judge';
export { loadSuite, parseScenarioText, builtinScenarios, ScenarioLoadError } from './load';
export { formatList, formatScenario, formatScores, formatSkipped, summaryLine } from './reporters/list';
export { formatJunit, xmlEscape } from './reporters/junit';
export { formatHtml } from './reporters/html';
export { REPORTERS, writeReports, createRunFolder, withoutPictures, type ReporterName } from './reporters/output';
export { ScenarioRunner, type ScenarioRunnerOptions } from './scenario-runner';
export { describeServer, ServerTarget, type ServerApp } from './server-target';
