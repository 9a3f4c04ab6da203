import { useState } from 'react';
import type { TextSegment } from '../../../../shared/analysis/timeline';
import { formatCount } from '../../data/format';

const SEGMENT_TITLE: Record<TextSegment['kind'], string> = {
  text: '',
  duplicate: 're-sent chunk: a naive client shows it again',
  missing: 'sequences never received',
  late: 'arrived out of order',
  after_terminal: 'arrived after the terminal event',
};

export interface Texts {
  correct: readonly TextSegment[];
  naive: readonly TextSegment[];
}

function Segments({ segments, label }: { segments: readonly TextSegment[]; label: string }) {
  return (
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
  );
}

const charsOf = (segments: readonly TextSegment[]) => segments.reduce((sum, segment) => sum + segment.text.length, 0);

interface Props extends Texts {
  /** Each text's full length: the segments given are its beginning when it is longer (a 100k-token text costs seconds of layout). */
  correctChars: number;
  naiveChars: number;
  note: string | null;
  /** Fetches both texts in full ("show all"); an error message when it cannot. */
  loadAll(): Promise<Texts | string>;
}

/** (c) what a correct client shows beside what a naive one shows, with re-sent and missing parts marked. */
export function TextComparison({ correct, naive, correctChars, naiveChars, note, loadAll }: Props) {
  const [full, setFull] = useState<Texts | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shown = full ?? { correct, naive };
  const cut = full === null && (charsOf(correct) < correctChars || charsOf(naive) < naiveChars);
  const showAll = async () => {
    setLoading(true);
    const result = await loadAll();
    setLoading(false);
    if (typeof result === 'string') setError(result);
    else setFull(result);
  };
  return (
    <section className="panel" aria-labelledby="text-title" data-testid="text-comparison">
      <h3 id="text-title">Text</h3>
      {note && <p className="muted">{note}</p>}
      <div className="text-pair">
        <div>
          <h4>Correct client (each sequence once, in order)</h4>
          <Segments segments={shown.correct} label="Correct text" />
        </div>
        <div>
          <h4>Naive client (every chunk as it arrived)</h4>
          <Segments segments={shown.naive} label="Naive text" />
        </div>
      </div>
      {cut && (
        <p>
          <span className="muted">
            Showing the first {formatCount(Math.max(charsOf(correct), charsOf(naive)))} characters of {formatCount(correctChars)} (correct) and {formatCount(naiveChars)}{' '}
            (naive).{' '}
          </span>
          <button type="button" className="secondary" disabled={loading} onClick={() => void showAll()}>
            {loading ? 'Loading…' : 'Show all'}
          </button>
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="legend muted">
        <mark className="seg seg-duplicate">re-sent</mark> <mark className="seg seg-missing">missing</mark> <mark className="seg seg-late">out of order</mark>{' '}
        <mark className="seg seg-after_terminal">after the end</mark>
      </p>
    </section>
  );
}
