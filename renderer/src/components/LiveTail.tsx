import { useMemo } from 'react';
import type { AppApi } from '../../../shared/api';
import type { FrameRecord } from '../../../shared/journal';
import { formatClock, formatPayload } from '../data/format';
import { useSubscription } from '../data/use-subscription';

const TAIL_LIMIT = 200;
const FRAME_TAIL = { types: ['frame' as const], keep: TAIL_LIMIT };

/** The newest raw frames first, as they arrive: what the sockets actually carry, before any analysis (the `tail` topic, frames only). */
export function LiveTail({ api }: { api: AppApi }) {
  const tail = useSubscription(api, 'tail', FRAME_TAIL).state;
  const frames = useMemo(() => (tail?.items ?? []).filter((record): record is FrameRecord => record.type === 'frame'), [tail]);
  const dropped = tail?.dropped ?? 0;

  const newestFirst = frames.slice().reverse();
  return (
    <section className="panel live-tail" aria-labelledby="tail-title" data-testid="live-tail">
      <h3 id="tail-title">
        Raw frame tail{' '}
        <span className="muted">
          ({frames.length} latest frames{dropped > 0 ? `, ${dropped} skipped while busy` : ''})
        </span>
      </h3>
      {newestFirst.length === 0 ? (
        <p className="muted">No frames yet. Connect a profile and subscribe to a channel.</p>
      ) : (
        <div className="tail-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Arrived</th>
                <th scope="col">Connection</th>
                <th scope="col">Channel</th>
                <th scope="col">Event</th>
                <th scope="col">Payload</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.map((frame, index) => (
                <tr key={`${frame.at}-${index}`} data-testid="tail-row">
                  <td className="mono">{formatClock(frame.at)}</td>
                  <td>{frame.connection}</td>
                  <td className="mono">{frame.channel ?? '—'}</td>
                  <td className="mono">{frame.event}</td>
                  <td className="mono payload">{formatPayload(frame.data, 300)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
