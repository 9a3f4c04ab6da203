/** The built-in scenario library (documented in docs/scenarios.md). */
export { BUILTIN_SCENARIOS, SEED_SCENARIOS, builtinScenario } from './library';
export { LARAVEL_AI_SCENARIOS } from './laravel-ai';
export { PRISM_SCENARIOS } from './prism';
export { VERCEL_SCENARIOS } from './vercel';
