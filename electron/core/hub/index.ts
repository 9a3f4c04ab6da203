export { ConnectionHub, type HubOptions } from './connection-hub';
export { ConnectionBase, type HubConnection, type HubSink } from './connection-base';
export { PusherConnection, describeCloseCode, decodeChannelEvent, interceptMessages, isFatalCloseCode } from './pusher-connection';
export { SocketIoConnection } from './socketio-connection';
export { localSigner, endpointAuthorizer, authorizerFor, ChannelAuthError, type ChannelAuthorizer } from './channel-auth';
export { ChannelDiscovery, channelSource, type ChannelOccupancy, type ChannelSource, type DiscoveryState } from './channel-discovery';
export { likelyLaravelChannel, wireChannelName } from './channel-names';
