/** The mock provider: a Pusher-protocol-7 server with the Pusher HTTP API and Laravel-style auth (DESIGN §7). */
export { startMockServer } from './server';
export type { MockServer, PublishRequest, ConnectionSummary, CloseConnectionsFilter, SubscribedEvent } from './server';
export { DEFAULT_APP, DEFAULT_LIMITS, parseAuthPolicy, authPolicyAllows, resolveScaling } from './config';
export type { MockApp, MockServerOptions, MockLimits, AuthPolicy } from './config';
export type { AppCounters } from './metrics';
export { GenerationStore } from './generations';
export type { GenerationRecord } from './generations';
export { CLOSE, CLOSE_REASON, PROTOCOL_VERSION } from './protocol';
export { signChannel, signUser } from './signature';
export { startScenario, ScenarioRun, EventScheduler, type SimulatorOptions, type RunProgress, type EmitTiming, type SimulatorTarget } from './simulator';
export { BUILTIN_SCENARIOS, builtinScenario } from './scenarios';
export { loadMockConfig, parseMockConfig, mockConfigFileSchema } from './config-file';
export type { MockConfigFile } from './config-file';
export type { ScalingStatus, ScalingNotice, ScalingSettings } from './scaling';
export { readScaling, scalingMessage, serializeApplication, reverbApplicationId } from './scaling-format';
export type { ScalingPayload, ScalingRead, ScalingApplication } from './scaling-format';
