export { ConnectionHub } from './connection-hub';
export { EchoConnection, describeCloseCode, type HubSink } from './echo-connection';
export { localSigner, endpointAuthorizer, authorizerFor, ChannelAuthError, type ChannelAuthorizer } from './channel-auth';
