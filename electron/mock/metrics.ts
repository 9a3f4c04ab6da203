/** Per-app counters of the mock server itself, and their Prometheus text rendering. */
import type { ScalingStatus } from './scaling';

export interface AppCounters {
  appId: string;
  /** WebSocket connections open now. */
  connections: number;
  /** WebSocket connections accepted since start. */
  connectionsTotal: number;
  /** Socket–channel subscriptions now. */
  subscriptions: number;
  /** Successful subscriptions since start. */
  subscriptionsTotal: number;
  /** Occupied channels now. */
  channels: number;
  /** WebSocket frames received from clients. */
  messagesIn: number;
  /** WebSocket frames sent to clients. */
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Accepted (correctly signed) HTTP API requests. */
  apiRequests: number;
  /** Events published through the HTTP API or `publish()` (one per channel). */
  apiEvents: number;
  /** Client events (`client-…`) relayed. */
  clientEvents: number;
  /** `pusher:error` / `pusher:subscription_error` frames sent and HTTP requests refused. */
  errors: number;
}

export function emptyCounters(appId: string): AppCounters {
  return {
    appId,
    connections: 0,
    connectionsTotal: 0,
    subscriptions: 0,
    subscriptionsTotal: 0,
    channels: 0,
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    apiRequests: 0,
    apiEvents: 0,
    clientEvents: 0,
    errors: 0,
  };
}

interface MetricSpec {
  name: string;
  field: Exclude<keyof AppCounters, 'appId'>;
  type: 'gauge' | 'counter';
  help: string;
}

const METRICS: MetricSpec[] = [
  { name: 'echoscope_mock_connections', field: 'connections', type: 'gauge', help: 'WebSocket connections open now' },
  { name: 'echoscope_mock_connections_total', field: 'connectionsTotal', type: 'counter', help: 'WebSocket connections accepted' },
  { name: 'echoscope_mock_subscriptions', field: 'subscriptions', type: 'gauge', help: 'Socket-channel subscriptions now' },
  { name: 'echoscope_mock_subscriptions_total', field: 'subscriptionsTotal', type: 'counter', help: 'Successful subscriptions' },
  { name: 'echoscope_mock_channels', field: 'channels', type: 'gauge', help: 'Occupied channels now' },
  { name: 'echoscope_mock_ws_messages_received_total', field: 'messagesIn', type: 'counter', help: 'WebSocket frames received from clients' },
  { name: 'echoscope_mock_ws_messages_sent_total', field: 'messagesOut', type: 'counter', help: 'WebSocket frames sent to clients' },
  { name: 'echoscope_mock_ws_bytes_received_total', field: 'bytesIn', type: 'counter', help: 'WebSocket payload bytes received' },
  { name: 'echoscope_mock_ws_bytes_sent_total', field: 'bytesOut', type: 'counter', help: 'WebSocket payload bytes sent' },
  { name: 'echoscope_mock_api_requests_total', field: 'apiRequests', type: 'counter', help: 'Accepted signed HTTP API requests' },
  { name: 'echoscope_mock_api_events_total', field: 'apiEvents', type: 'counter', help: 'Events published per channel by the server side' },
  { name: 'echoscope_mock_client_events_total', field: 'clientEvents', type: 'counter', help: 'Client events relayed' },
  { name: 'echoscope_mock_errors_total', field: 'errors', type: 'counter', help: 'Protocol errors sent and HTTP requests refused' },
];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Prometheus text exposition format 0.0.4. */
export function renderPrometheus(counters: AppCounters[]): string {
  const lines: string[] = [];
  for (const metric of METRICS) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const app of counters) lines.push(`${metric.name}{app_id="${escapeLabel(app.appId)}"} ${app[metric.field]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The node's link to the scaling channel (not per app: one channel carries every app's broadcasts). */
export function renderScalingPrometheus(status: ScalingStatus): string {
  const channel = `{channel="${escapeLabel(status.channel)}"}`;
  const lines = [
    ['echoscope_mock_scaling_connected', 'gauge', 'Publishing to and subscribed to the scaling channel (1) or not (0)', status.state === 'connected' ? 1 : 0],
    ['echoscope_mock_scaling_published_total', 'counter', 'Broadcasts Redis confirmed on the scaling channel', status.published],
    ['echoscope_mock_scaling_not_published_total', 'counter', 'Broadcasts not published: the scaling Redis was unreachable or PUBLISH failed', status.notPublished],
    ['echoscope_mock_scaling_received_total', 'counter', 'Scaling messages delivered to this node', status.received],
    ['echoscope_mock_scaling_ignored_total', 'counter', 'Scaling messages not for this node (another app, unreadable, Reverb metrics)', status.ignored],
    ['echoscope_mock_scaling_outages_total', 'counter', 'Times the scaling Redis was lost', status.outages],
  ] as const;
  return `${lines.flatMap(([name, type, help, value]) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}${channel} ${value}`]).join('\n')}\n`;
}
