/** The AI generation simulator and fault injection (DESIGN §7), played on the mock provider. */
export { ScenarioRun, startScenario, type SimulatorOptions, type RunProgress, type EmitTiming, type SessionPhase } from './simulator';
export { EventScheduler, realClock, type SchedulerClock, type ScheduledTask } from './scheduler';
export { planSession, type SessionPlan, type PlanStep } from './plan';
export { encodeEvent } from './payload';
export { splitTokens } from './tokenizer';
export { CORPUS_SENTENCES } from './corpus';
export type { SimulatorTarget } from './target';
export { wireWriter, type WireWriter, type FrameStep } from './wire';
export { encodeStreamEvent, encodeStreamFrame, streamEventName, streamFrameName, type StreamAttempt, type StreamFrameKind } from './stream-payload';
export { StreamIdSource, type StreamIdStyle } from './stream-ids';
