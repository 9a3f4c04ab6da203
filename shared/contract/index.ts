export * from './states';
export {
  ContractProfileSchema,
  ContractFieldsSchema,
  DEFAULT_PROFILE,
  DEFAULT_MAX_PAYLOAD_BYTES,
  parseContractProfile,
  compileProfile,
  channelSessionId,
  channelMatches,
  builtinContract,
  BUILTIN_CONTRACTS,
  type BuiltinContractName,
  type ContractProfile,
  type ContractProfileInput,
  type ContractFields,
  type CompiledProfile,
  type ProfileParseResult,
} from './profile';
export {
  validatePayload,
  decodePayload,
  createEventScratch,
  payloadSizeBound,
  utf8Length,
  type ContractEvent,
  type ContractEventScratch,
  type ContractViolation,
  type PayloadVerdict,
  type ViolationKind,
} from './payload';
export { jsonByteSize, jsonStringBytes, nestsDeeperThan, MAX_PAYLOAD_DEPTH, TOO_DEEP, TOO_DEEP_PAYLOAD_TEXT } from './payload-size';
export {
  EventStreamSchema,
  LARAVEL_AI_STREAM,
  PRISM_STREAM,
  compileStream,
  streamRole,
  type CompiledStream,
  type EventStream,
  type EventStreamInput,
  type StreamRole,
} from './event-stream';
