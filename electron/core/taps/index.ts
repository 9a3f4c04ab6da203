export { RedisTap, type TapSink } from './redis-tap';
export { readBroadcasterMessage, readScalingMessage, reverbApplicationId, type PublishedEvent, type TapRead } from './tap-messages';
