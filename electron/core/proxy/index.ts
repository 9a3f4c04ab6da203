export { FaultProxy, upstreamBase, type FaultProxyOptions, type ProxyStatus } from './fault-proxy';
export { PROXY_CONTROL_PATH } from './proxy-control';
