export { ConnectionHub } from './connection-hub';
export { ConnectionBase, type HubConnection, type HubSink } from './connection-base';
export { PusherConnection, describeCloseCode, decodeChannelEvent, interceptMessages, isFatalCloseCode } from './pusher-connection';
export { SocketIoConnection } from './socketio-connection';
export { localSigner, endpointAuthorizer, authorizerFor, ChannelAuthError, type ChannelAuthorizer } from './channel-auth';
export { ChannelDiscovery, channelLister, type DiscoveryState } from './channel-discovery';
