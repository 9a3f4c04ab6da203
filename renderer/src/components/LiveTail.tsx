import type { FrameRecord } from '../../../shared/journal';

function formatTime(at: number): string {
  const date = new Date(at);
  return `${date.toLocaleTimeString(undefined, { hour12: false })}.${String(Math.floor(at % 1000)).padStart(3, '0')}`;
}

function formatData(data: unknown): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return text === undefined ? '' : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The newest frames first, as they arrive. */
export function LiveTail({ frames, dropped }: { frames: FrameRecord[]; dropped: number }) {
  const newestFirst = frames.slice(-200).reverse();
  return (
    <section className="panel live-tail" aria-labelledby="tail-title" data-testid="live-tail">
      <h2 id="tail-title">
        Live tail <span className="muted">({frames.length} frames{dropped > 0 ? `, ${dropped} skipped while busy` : ''})</span>
      </h2>
      {newestFirst.length === 0 ? (
        <p className="muted">No frames yet. Connect a profile and subscribe to a channel.</p>
      ) : (
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
                <td className="mono">{formatTime(frame.at)}</td>
                <td>{frame.connection}</td>
                <td className="mono">{frame.channel ?? '—'}</td>
                <td className="mono">{frame.event}</td>
                <td className="mono payload">{formatData(frame.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
