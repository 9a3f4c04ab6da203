import { useState } from 'react';
import { limitSegments, type TextSegment } from '../../../../shared/analysis/timeline';

const SHOWN_CHARS = 20_000;

const SEGMENT_TITLE: Record<TextSegment['kind'], string> = {
  text: '',
  duplicate: 're-sent chunk: a naive client shows it again',
  missing: 'sequences never received',
  late: 'arrived out of order',
  after_terminal: 'arrived after the terminal event',
};

function Segments({ segments: all, label }: { segments: readonly TextSegment[]; label: string }) {
  const [showAll, setShowAll] = useState(false);
  const { segments, total, cut } = limitSegments(all, showAll ? Number.POSITIVE_INFINITY : SHOWN_CHARS);
  return (
    <>
    <p className="text-body" aria-label={label}>
      {segments.map((segment, index) =>
        segment.kind === 'text' ? (
          <span key={index}>{segment.text}</span>
        ) : (
          <mark key={index} className={`seg seg-${segment.kind}`} title={SEGMENT_TITLE[segment.kind]} data-kind={segment.kind}>
            {segment.text}
          </mark>
        ),
      )}
    </p>
    {cut && (
      <button type="button" className="secondary" onClick={() => setShowAll(true)}>
        Show all {total.toLocaleString('en-US')} characters
      </button>
    )}
    </>
  );
}

/** (c) what a correct client shows beside what a naive one shows, with re-sent and missing parts marked. */
export function TextComparison({ correct, naive, note }: { correct: readonly TextSegment[]; naive: readonly TextSegment[]; note: string | null }) {
  return (
    <section className="panel" aria-labelledby="text-title" data-testid="text-comparison">
      <h3 id="text-title">Text</h3>
      {note && <p className="muted">{note}</p>}
      <div className="text-pair">
        <div>
          <h4>Correct client (each sequence once, in order)</h4>
          <Segments segments={correct} label="Correct text" />
        </div>
        <div>
          <h4>Naive client (every chunk as it arrived)</h4>
          <Segments segments={naive} label="Naive text" />
        </div>
      </div>
      <p className="legend muted">
        <mark className="seg seg-duplicate">re-sent</mark> <mark className="seg seg-missing">missing</mark> <mark className="seg seg-late">out of order</mark>{' '}
        <mark className="seg seg-after_terminal">after the end</mark>
      </p>
    </section>
  );
}
