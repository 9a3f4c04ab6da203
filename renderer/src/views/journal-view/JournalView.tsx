import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import {
  AnomalyKindSchema,
  SessionStatusSchema,
  type AppApi,
  type CommandResponse,
  type ExportFormat,
  type JournalExportRequest,
  type JournalStats,
  type SessionFilter,
  type SessionRow,
} from '../../../../shared/api';
import { sessionHref } from '../../app/route';
import { ANOMALY_LOOK } from '../../components/AnomalyBadges';
import { FilePicker } from '../../components/FilePicker';
import { SessionTable } from '../../components/SessionTable';
import { useAvailableHeight } from '../../components/use-element-height';
import { exportJournal } from '../../data/download';
import { importInChunks } from '../../data/import-upload';
import { formatBytes, formatCount, formatDateTime } from '../../data/format';
import { querySessions, type SessionQuery, type SortKey } from '../../../../shared/api/session-query';

type ImportResult = CommandResponse<'journal.import'>;

const AGE_CHOICES = [
  { label: 'keep everything', ms: null },
  { label: '1 day', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
  { label: '30 days', ms: 30 * 86_400_000 },
  { label: '90 days', ms: 90 * 86_400_000 },
];

/** A `datetime-local` value as epoch ms (local time). */
const fromInput = (value: string) => (value ? new Date(value).getTime() : undefined);

/** The journal: what is kept and for how long, export and import, and past sessions by time and verdict. */
export function JournalView({ api }: { api: AppApi }) {
  const [stats, setStats] = useState<JournalStats | null>(null);
  const [statsError, setStatsError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [imported, setImported] = useState<ImportResult | null>(null);
  const [busy, setBusy] = useState(false);

  const refreshStats = useCallback(async () => {
    const result = await api.invoke('journal.stats', {});
    if (result.ok) {
      setStats(result.value);
      setStatsError(null);
    } else setStatsError(result.error.message);
  }, [api]);

  useEffect(() => {
    void refreshStats();
  }, [refreshStats]);

  const importFile = async (file: File) => {
    setBusy(true);
    setMessage({ error: false, text: `Importing ${file.name}…` });
    // Sent in chunks: a file of any size, read a slice at a time, at the journal's pace.
    const result = await importInChunks(api, file, (progress) =>
      setMessage({
        error: false,
        text: `Importing ${file.name}: ${formatBytes(progress.bytes)} of ${formatBytes(file.size)}, ${formatCount(progress.records)} records so far…`,
      }),
    );
    setBusy(false);
    void refreshStats();
    if (!result.ok) {
      setImported(null);
      return setMessage({ error: true, text: `${file.name}: ${result.error.message}` });
    }
    setImported(result.value);
    const sessions = result.value.sessionCount ?? result.value.sessions.length;
    const skipped = result.value.issueCount ?? result.value.issues.length;
    setMessage({
      error: false,
      text: `Imported ${formatCount(result.value.records)} records (${result.value.format.toUpperCase()}) from ${file.name}: ${formatCount(sessions)} sessions${skipped > 0 ? `; ${formatCount(skipped)} broken lines skipped (listed below)` : ''}.`,
    });
  };

  return (
    <section className="view" aria-labelledby="journal-title">
      <div className="view-head">
        <h2 id="journal-title">Journal</h2>
      </div>
      <div className="journal-top">
        <section className="panel" aria-labelledby="journal-stats-title" data-testid="journal-stats">
          <h3 id="journal-stats-title">What is kept</h3>
          {statsError ? (
            <p className="error">{statsError}</p>
          ) : stats ? (
            <dl className="stats compact">
              <div className="stat">
                <dt>Records</dt>
                <dd>{formatCount(stats.records)}</dd>
              </div>
              <div className="stat">
                <dt>Size</dt>
                <dd>{formatBytes(stats.bytes)}</dd>
              </div>
              <div className="stat">
                <dt>Oldest</dt>
                <dd>{formatDateTime(stats.oldestAt)}</dd>
              </div>
              <div className="stat">
                <dt>Newest</dt>
                <dd>{formatDateTime(stats.newestAt)}</dd>
              </div>
              <div className="stat wide">
                <dt>Location</dt>
                <dd className="mono">{stats.location}</dd>
              </div>
            </dl>
          ) : (
            <p className="muted">Loading…</p>
          )}
          {stats && <RetentionForm api={api} stats={stats} onSaved={() => void refreshStats()} />}
        </section>
        <section className="panel" aria-labelledby="journal-io-title">
          <h3 id="journal-io-title">Export and import</h3>
          <ExportForm api={api} />
          <FilePicker
            accept=".ndjson,.jsonl,.json,.har"
            label="Import NDJSON or HAR…"
            hint="or drop an EchoScope journal (.ndjson) or a browser HAR file here"
            busy={busy}
            onFile={(file) => void importFile(file)}
            testId="journal-drop"
          />
          {message && (
            <p className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="import-message">
              {message.text}
            </p>
          )}
          {imported && (
            <div data-testid="import-result">
              {imported.sessions.length > 0 && (
                <p>
                  Sessions:{' '}
                  {imported.sessions.slice(0, 50).map((id) => (
                    <a key={id} href={sessionHref(id)} className="mono session-link" data-testid="imported-session">
                      {id}
                    </a>
                  ))}
                  {(imported.sessionCount ?? imported.sessions.length) > 50 ? ` and ${(imported.sessionCount ?? imported.sessions.length) - 50} more` : ''}
                </p>
              )}
              {imported.issues.length > 0 && (
                <details>
                  <summary>{imported.issueCount ?? imported.issues.length} lines skipped</summary>
                  <ul>
                    {imported.issues.slice(0, 100).map((issue, i) => (
                      <li key={i}>
                        {issue.line ? `line ${issue.line}: ` : ''}
                        {issue.message}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          )}
        </section>
      </div>
      <PastSessions api={api} refreshKey={imported} />
    </section>
  );
}

function RetentionForm({ api, stats, onSaved }: { api: AppApi; stats: JournalStats; onSaved(): void }) {
  const [age, setAge] = useState(String(stats.retention.maxAgeMs ?? ''));
  const [megabytes, setMegabytes] = useState(stats.retention.maxBytes === null ? '' : String(Math.round(stats.retention.maxBytes / 1024 / 1024)));
  const [message, setMessage] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const maxBytes = megabytes.trim() ? Math.max(1, Number(megabytes)) * 1024 * 1024 : null;
    const result = await api.invoke('journal.retention', { maxAgeMs: age ? Number(age) : null, maxBytes });
    setMessage(result.ok ? 'Retention saved.' : result.error.message);
    if (result.ok) onSaved();
  };
  const ageKnown = AGE_CHOICES.some((c) => String(c.ms ?? '') === age);
  return (
    <form className="filters" onSubmit={(e) => void submit(e)} aria-label="Retention">
      <label>
        Keep records for
        <select value={age} onChange={(e) => setAge(e.target.value)}>
          {!ageKnown && <option value={age}>{Math.round(Number(age) / 3_600_000)} hours</option>}
          {AGE_CHOICES.map((c) => (
            <option key={c.label} value={String(c.ms ?? '')}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        At most (MB) <span className="muted">(empty: no limit)</span>
        <input value={megabytes} onChange={(e) => setMegabytes(e.target.value.replace(/[^0-9]/g, ''))} inputMode="numeric" />
      </label>
      <button type="submit">Save retention</button>
      {message && (
        <span className="muted" role="status">
          {message}
        </span>
      )}
    </form>
  );
}

function ExportForm({ api }: { api: AppApi }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const exportAs = async (format: ExportFormat) => {
    const request: JournalExportRequest = { format };
    const f = fromInput(from);
    const t = fromInput(to);
    if (f !== undefined) request.from = f;
    if (t !== undefined) request.to = t;
    setMessage(await exportJournal(api, request));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void exportAs('ndjson');
  };
  return (
    <form className="filters" onSubmit={(e) => void submit(e)} aria-label="Export">
      <label>
        From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit">Export NDJSON</button>
      <button type="button" className="secondary" onClick={() => void exportAs('har')} title="HAR 1.2 with the frames as WebSocket messages: opens in DevTools">
        Export HAR
      </button>
      {message && (
        <span className="muted" role="status" data-testid="export-message">
          {message}
        </span>
      )}
    </form>
  );
}

/** Sessions the monitor knows (this run and the journal's recent past), by time range and verdict. */
function PastSessions({ api, refreshKey }: { api: AppApi; refreshKey: unknown }) {
  const [status, setStatus] = useState<SessionQuery['status']>('all');
  const [anomaly, setAnomaly] = useState<SessionQuery['anomaly']>('any');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rows, setRows] = useState<SessionRow[]>([]);
  const [total, setTotal] = useState(0);
  const [sort, setSort] = useState<{ sort: SortKey; descending: boolean }>({ sort: 'age', descending: false });
  const ref = useRef<HTMLDivElement>(null);
  const height = useAvailableHeight(ref, 240, 40);

  const search = useCallback(async () => {
    const filter: SessionFilter = { limit: 50_000 };
    if (status !== 'all' && status !== 'problems') filter.status = [status];
    if (anomaly !== 'any') filter.anomaly = anomaly;
    const f = fromInput(from);
    const t = fromInput(to);
    if (f !== undefined) filter.from = f;
    if (t !== undefined) filter.to = t;
    const result = await api.invoke('sessions.list', filter);
    if (result.ok) {
      setRows(status === 'problems' ? querySessions(result.value.rows, { status, anomaly: 'any', text: '', sort: 'age', descending: false }) : result.value.rows);
      setTotal(result.value.total);
    }
  }, [api, status, anomaly, from, to]);

  useEffect(() => {
    void search();
  }, [search, refreshKey]);

  const sorted = querySessions(rows, { status: 'all', anomaly: 'any', text: '', ...sort });
  return (
    <section className="panel" aria-labelledby="past-title">
      <h3 id="past-title">
        Sessions by time and verdict <span className="muted">({rows.length === total ? formatCount(total) : `${formatCount(rows.length)} of ${formatCount(total)}`})</span>
      </h3>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter past sessions">
        <label>
          From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Verdict
          <select value={status} onChange={(e) => setStatus(e.target.value as SessionQuery['status'])}>
            <option value="all">all</option>
            <option value="problems">problems only</option>
            {SessionStatusSchema.options.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Anomaly
          <select value={anomaly} onChange={(e) => setAnomaly(e.target.value as SessionQuery['anomaly'])}>
            <option value="any">any or none</option>
            {AnomalyKindSchema.options.map((k) => (
              <option key={k} value={k}>
                {ANOMALY_LOOK[k].label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary" onClick={() => void search()}>
          Refresh
        </button>
      </form>
      <div ref={ref}>
        <SessionTable
          rows={sorted}
          query={sort}
          onSort={(key) => setSort((s) => ({ sort: key, descending: s.sort === key ? !s.descending : key !== 'sessionId' && key !== 'age' }))}
          height={Math.min(height, 520)}
          label="Past sessions"
        />
      </div>
    </section>
  );
}
