/**
 * `echoscope/playwright`: a Playwright fixture for your own frontend (docs/playwright.md). The
 * mock provider plays a scenario, your page's Echo connects to it, and the matchers say whether
 * what your UI received and shows survives the scenario's faults.
 */
export { test, type Echoscope, type EchoscopeOptions } from './fixture';
export { expect, echoscopeMatchers, type EchoscopeMatcherOptions } from './matchers';
export { EchoscopeSession, readMarkedElement, type RenderReader, type Settled } from './session';
export type { EchoscopeConnection, EchoscopeEchoOptions } from './provider';
export type { ScenarioChoice } from './scenario-option';
export { correctText, redeliveries, renderedTwice, type CorrectText, type Redelivery, type RenderedTwice } from './rendered';
export type { Scenario, ScenarioInput, GroundTruth, SessionTruth } from '../shared/scenario';
export type { SessionStatus, SessionVerdict } from '../shared/analysis';
