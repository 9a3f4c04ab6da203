/** The built-in scenario library (documented in docs/scenarios.md). */
export { BUILTIN_SCENARIOS, builtinScenario } from './library';
