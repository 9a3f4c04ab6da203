import { isStreamContract, type Scenario, type TruthEvent } from '../../../shared/scenario';
import { encodeEvent } from './payload';
import type { PlanStep, SessionPlan } from './plan';
import { encodeStreamEvent, encodeStreamFrame, streamEventName, streamFrameName } from './stream-payload';

export type FrameStep = Extract<PlanStep, { kind: 'frame' }>;

/**
 * How a planned step goes on the wire in the scenario's contract: its event name and its payload
 * (a JSON string, or a deliberately broken one). Chosen once per run, so a token's publish asks
 * no question about the contract.
 */
export interface WireWriter {
  name(event: TruthEvent): string;
  data(plan: SessionPlan, event: TruthEvent, now: number, padToBytes: number | undefined): string;
  /** A stream contract's frame without text (`stream_start`, `text_start`, …); the seed has none. */
  frameName(step: FrameStep): string;
  frameData(plan: SessionPlan, step: FrameStep, now: number): string;
}

export function wireWriter(scenario: Scenario): WireWriter {
  const contract = scenario.contract;
  if (!isStreamContract(contract)) {
    const name = scenario.event;
    const none = (): never => {
      throw new Error('the seed contract has no frames without text');
    };
    return { name: () => name, data: (plan, event, now, pad) => encodeEvent(plan.sessionId, event, now, pad), frameName: none, frameData: none };
  }
  return {
    name: (event) => streamEventName(contract, event),
    data: (plan, event, now, pad) => encodeStreamEvent(contract, plan.streamAttempts![event.attempt - 1]!, event, now, pad),
    frameName: (step) => streamFrameName(contract, step.frame),
    frameData: (plan, step, now) => encodeStreamFrame(contract, plan.streamAttempts![step.attempt - 1]!, step.frame, step.id, now),
  };
}
