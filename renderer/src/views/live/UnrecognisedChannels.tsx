import { useEffect, useState } from 'react';
import type { AppApi, UnrecognisedChannel } from '../../../../shared/api';
import { countOf, formatCount } from '../../data/format';

/** How often Live asks again which channels no contract reads (they change slowly). */
const REFRESH_MS = 5000;

/**
 * Channels whose frames fit no contract (or none of which the given contract read), from
 * `channels.unrecognised`: listed with their event names and a sample, so a stream EchoScope does
 * not understand is visible instead of silently dropped (issue 18).
 */
export function UnrecognisedChannels({ api }: { api: AppApi }) {
  const [items, setItems] = useState<UnrecognisedChannel[]>([]);
  useEffect(() => {
    let live = true;
    const load = () =>
      void api.invoke('channels.unrecognised', {}).then((result) => {
        if (live && result.ok) setItems(result.value.items);
      });
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [api]);
  if (items.length === 0) return null;
  return (
    <details className="hint unrecognised" data-testid="unrecognised-channels">
      <summary>
        <strong>{countOf(items.length, 'channel')} sent frames no contract reads</strong>{' '}
        <span className="muted">— not sessions. If one is your AI stream, give its contract in Settings.</span>
      </summary>
      <table className="compact">
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col" className="num">
              Frames
            </th>
            <th scope="col">Events</th>
            <th scope="col">First frame</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={`${item.connection}\u0000${item.channel}`} data-testid="unrecognised-channel" data-channel={item.channel}>
              <td className="mono">{item.channel}</td>
              <td className="num">{formatCount(item.frames)}</td>
              <td className="mono">{item.events.join(', ')}</td>
              <td className="mono sample" title={item.contract === null ? 'fits no contract EchoScope knows' : `not read by the given contract ${item.contract}`}>
                {item.sample.data}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
