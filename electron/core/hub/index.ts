export { ConnectionHub, type HubOptions } from './connection-hub';
export { ConnectionBase, type HubConnection, type HubSink } from './connection-base';
export { PusherConnection, describeCloseCode, isFatalCloseCode } from './pusher-connection';
export { decodeChannelEvent, interceptMessages, PINNED_PUSHER_JS } from './pusher-js-internals';
export { SocketIoConnection } from './socketio-connection';
export { localSigner, endpointAuthorizer, authorizerFor, ChannelAuthError, type ChannelAuthorizer } from './channel-auth';
export { ChannelDiscovery, channelSource, type ChannelOccupancy, type ChannelSource, type DiscoveryState } from './channel-discovery';
export { likelyLaravelChannel, wireChannelName } from './channel-names';
