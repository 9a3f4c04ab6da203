export { startHeadlessHost, type HeadlessHost, type HeadlessHostOptions } from './headless-host';
export { DASHBOARD_CSP, resolveInside } from './static-files';
