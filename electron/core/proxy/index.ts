export { PusherProxy, upstreamBase, type PusherProxyOptions, type ProxyStatus } from './pusher-proxy';
export { PROXY_CONTROL_PATH } from './proxy-control';
