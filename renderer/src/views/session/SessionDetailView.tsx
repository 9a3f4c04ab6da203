import { useCallback, useEffect, useRef, useState } from 'react';
import type { TimelinePoint } from '../../../../shared/analysis/timeline';
import type { AppApi, ExportFormat, MonitorSettings, SessionDetail, SessionTimelineView } from '../../../../shared/api';
import { useSubscription } from '../../data/use-subscription';
import type { Theme } from '../../app/theme';
import SessionCharts from '../../charts/SessionCharts';
import { StatusChip } from '../../components/StatusChip';
import { exportJournal } from '../../data/download';
import { formatCount, formatDateTime, formatMs } from '../../data/format';
import type { SessionStore } from '../../data/session-store';
import { AnomalyList } from './AnomalyList';
import { FramesTable, type PickedFrame } from './FramesTable';
import { ObservationsPanel, vantageLabel } from './ObservationsPanel';
import { ReconcilePanel } from './ReconcilePanel';
import { TextComparison } from './TextComparison';

const REFRESH_MS = 1500;
/** A session without a terminal event that stopped changing is asked again this often, so its silence grows on the chart. */
const SILENT_REFRESH_MS = 5000;

/** Characters of each text fetched with the detail (the rest on "show all"). */
const TEXT_CHARS = 4_000;

interface Loaded {
  /** Classified and downsampled on the host; null when the frames could not be had. */
  timeline: SessionTimelineView | null;
  /** Bumped on every load, so the frames table refetches the windows it shows. */
  version: number;
  /**
   * The row's events and status the charts were drawn for: when the detail moves on, they are
   * fetched again. Null when the charts came before the detail did (both are asked at once).
   */
  events: number | null;
  status: string | null;
}

const picked = (point: TimelinePoint): PickedFrame => ({ index: point.index, at: point.at, x: point.x, y: point.y });

interface Props {
  api: AppApi;
  sessionId: string;
  store: SessionStore;
  settings: MonitorSettings | null;
  theme: Theme;
}

/**
 * One session in depth: timeline, latency, text, anomalies, raw frames and reconciliation. The
 * detail (verdict, observations, texts, anomalies) is the `session` topic's state — a snapshot, then
 * the host's patches as the session changes, never a refetch; the charts are the host's downsampled
 * timeline, fetched again when the detail has moved on (at most every REFRESH_MS).
 */
export function SessionDetailView({ api, sessionId, store, settings, theme }: Props) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [selectedFrame, setSelectedFrame] = useState<PickedFrame | null>(null);
  const [selectedAnomaly, setSelectedAnomaly] = useState<number | null>(null);
  const [exportMessage, setExportMessage] = useState<string | null>(null);
  // Which observation (vantage) the counters, charts, texts and frames are of; null: the fullest, as the host picks.
  const [vantage, setVantage] = useState<string | null>(null);
  const seen = vantage === null ? {} : { vantage };
  // What lies below the charts (anomaly list, texts, raw frames) renders once the page above has
  // been painted: the first frame of a 100k-event session then lays out the charts only.
  const [belowFold, setBelowFold] = useState(false);
  const loading = useRef<string | null>(null);
  // The view's width, measured while it shows "Loading…" (a near-empty page: a cheap layout):
  // the charts size themselves from it and the host sends about a point per pixel.
  const viewWidth = useRef(0);
  const measureView = useCallback((element: HTMLElement | null) => {
    if (element) viewWidth.current = Math.floor(element.getBoundingClientRect().width);
  }, []);
  const lastLoad = useRef(0);
  const loads = useRef(0);

  const subscription = useSubscription(api, 'session', { sessionId, ...seen, maxTextChars: TEXT_CHARS });
  const detail = subscription.state;
  const row = detail?.row;
  const current = useRef(row);
  current.current = row;
  // The row feeds the announcer's status changes.
  useEffect(() => {
    if (row) store.upsert([row]);
  }, [store, row]);

  // The session (and vantage) the view shows now: an answer for another one is not drawn.
  const showing = useRef('');
  showing.current = `${sessionId}|${vantage ?? ''}`;

  const load = useCallback(async () => {
    const asked = `${sessionId}|${vantage ?? ''}`;
    // one fetch at a time for a session; a new session's does not wait for the last one's
    if (loading.current === asked) return;
    const at = current.current;
    loading.current = asked;
    lastLoad.current = Date.now();
    // The host classifies and downsamples: a 100k-event session arrives as a few thousand points.
    const maxPoints = viewWidth.current > 0 ? Math.min(2000, Math.max(500, viewWidth.current)) : 2000;
    const which = vantage === null ? {} : { vantage };
    const timeline = await api.invoke('sessions.timeline', { sessionId, ...which, maxPoints, maxTextChars: TEXT_CHARS });
    if (loading.current === asked) loading.current = null;
    if (showing.current !== asked) return;
    performance.mark('echoscope:detail-loaded', { detail: { frames: timeline.ok ? timeline.value.frames : 0 } });
    loads.current += 1;
    setLoaded({ timeline: timeline.ok ? timeline.value : null, version: loads.current, events: at?.events ?? null, status: at?.status ?? null });
  }, [api, sessionId, vantage]);

  // Another session: back to its fullest observation.
  useEffect(() => setVantage(null), [sessionId]);

  useEffect(() => {
    performance.mark('echoscope:detail-open', { detail: { sessionId } });
    setLoaded(null);
    setBelowFold(false);
    setSelectedFrame(null);
    setSelectedAnomaly(null);
    // The charts are asked at once, beside the detail's subscription: neither waits for the other.
    void load();
  }, [load, sessionId]);

  // The charts follow the detail: then when its events or status moved on, at most every REFRESH_MS.
  useEffect(() => {
    if (!row) return;
    if (!loaded) return void load();
    // Charts that came before the detail: drawn for what the detail says now (a later change fetches them again).
    if (loaded.events === null && loaded.timeline !== null && loaded.timeline.frames > 0) return setLoaded({ ...loaded, events: row.events, status: row.status });
    if (row.events === loaded.events && row.status === loaded.status) return;
    const wait = Math.max(0, lastLoad.current + REFRESH_MS - Date.now());
    const timer = setTimeout(() => void load(), wait);
    return () => clearTimeout(timer);
  }, [row, loaded, load]);

  // Nothing new arrives from a dead stream: its silence (to the host's now) is fetched again now and then.
  useEffect(() => {
    if (!loaded?.timeline?.silence) return;
    const timer = setTimeout(() => void load(), SILENT_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [loaded, load]);

  useEffect(() => {
    if (!loaded || belowFold) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setBelowFold(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [loaded, belowFold]);

  // New thresholds: the host classifies again, so fetch the timeline again.
  const shownSettings = useRef(settings);
  useEffect(() => {
    if (settings === shownSettings.current) return;
    shownSettings.current = settings;
    void load();
  }, [settings, load]);

  const error = subscription.error
    ? subscription.error.message
    : subscription.loaded && detail === null
      ? `No session "${sessionId}" (yet). It appears here once its first event arrives.`
      : null;

  const pickAnomaly = async (index: number) => {
    setSelectedAnomaly(index);
    const anomaly = detail?.anomalies[index];
    if (!anomaly || !loaded?.timeline) return;
    document.getElementById('chart-anchor')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    // The event that showed it (same arrival and sequence, else the nearest in time): the host holds the frames.
    const located = await api.invoke('sessions.locate', { sessionId, ...seen, at: anomaly.at, ...(anomaly.sequence === undefined ? {} : { sequence: anomaly.sequence }) });
    setSelectedFrame(located.ok && located.value ? picked(located.value) : null);
  };

  const exportSession = async (format: ExportFormat) => setExportMessage(await exportJournal(api, { sessionId, format }, 'the session'));

  if (error) {
    return (
      <section className="view" aria-labelledby="detail-title">
        <p>
          <a href="#/live">← Live sessions</a>
        </p>
        <h2 id="detail-title">Session {sessionId}</h2>
        <p className="error" role="alert">
          {error}
        </p>
      </section>
    );
  }
  if (!loaded || !detail) {
    return (
      <section className="view" aria-busy="true" ref={measureView}>
        <h2>Session {sessionId}</h2>
        <p className="muted">Loading…</p>
      </section>
    );
  }

  const { timeline } = loaded;
  // The counters of the observation shown (the combined row is the Live list's).
  const r = detail.observations.find((o) => o.vantage === detail.vantage) ?? detail.row;
  const several = detail.observations.length > 1;
  const t0 = timeline?.t0 ?? r.firstAt ?? 0;
  const focusPoint = selectedFrame ?? undefined;
  const focusAnomaly = selectedAnomaly !== null ? detail.anomalies[selectedAnomaly] : undefined;
  const focus =
    focusAnomaly && (!focusPoint || Math.abs(focusPoint.at - focusAnomaly.at) > 1)
      ? { x: focusAnomaly.at - t0, y: null }
      : focusPoint
        ? { x: focusPoint.x, y: focusPoint.y }
        : null;
  const frameCount = timeline?.frames ?? 0;
  const partial = frameCount < r.events + r.violations;
  const text = timeline?.text ?? null;

  return (
    <section className="view detail-view" aria-labelledby="detail-title" data-testid="session-detail" data-session={sessionId}>
      <p className="crumbs">
        <a href="#/live">← Live sessions</a>
      </p>
      <div className="view-head">
        <h2 id="detail-title" className="mono">
          {r.sessionId}
        </h2>
        <StatusChip status={r.status} />
        {r.terminationCode && <span className="tag">code {r.terminationCode}</span>}
        {r.terminalStates.length > 1 && <span className="tag tone-bad">terminal states: {r.terminalStates.join(' → ')}</span>}
        <span className="muted mono">{r.channel}</span>
        <span className={`tag ${r.contract.confidence === 'low' ? 'tone-warn' : ''}`} data-testid="session-contract" title={r.contract.reason}>
          contract {r.contract.name}
          {r.contract.confidence === 'given' ? '' : ` · detected (${r.contract.confidence})`}
        </span>
        {several && (
          <span className="tag" data-testid="shown-vantage">
            seen from {vantageLabel(r)}
          </span>
        )}
        <span className="spacer" />
        <button type="button" className="secondary" onClick={() => void exportSession('ndjson')}>
          Export NDJSON
        </button>
        <button type="button" className="secondary" onClick={() => void exportSession('har')} title="HAR 1.2 with the frames as WebSocket messages: opens in DevTools">
          Export HAR
        </button>
      </div>
      {exportMessage && (
        <p className="muted" role="status">
          {exportMessage}
        </p>
      )}
      {r.terminationDetail !== undefined && (
        <p className="note" data-testid="termination-detail">
          The stream said what went wrong: <q>{r.terminationDetail}</q>
        </p>
      )}
      {r.contract.confidence !== 'given' && (
        <p className="muted" data-testid="contract-reason">
          Read as {r.contract.name}: {r.contract.reason}. Settings can give one contract for every channel instead.
        </p>
      )}
      {r.joinedLate && (
        <p className="note" data-testid="coverage-note">
          Joined at #{r.coverage.fromSequence}: {vantageLabel(r)} began watching after the stream had started, so #1–#{(r.coverage.fromSequence ?? 2) - 1} were not observed. They
          are not counted as missing, and there is no time to first token.
        </p>
      )}
      <dl className="stats">
        <Stat label="Events" value={formatCount(r.events)} />
        <Stat label="Unique sequences" value={`${formatCount(r.uniqueSequences)} / max ${formatCount(r.maxSequence)}`} />
        <Stat label="Duplicates" value={r.checks.duplicates ? r.duplicates : UNCHECKABLE} hot title={r.checks.duplicates ? undefined : UNCHECKABLE_TITLES.duplicates} />
        <Stat label="Conflicts" value={r.checks.duplicates ? r.conflicts : UNCHECKABLE} hot title={r.checks.duplicates ? undefined : UNCHECKABLE_TITLES.duplicates} />
        <Stat label="Replays" value={r.replays} hot />
        <Stat label="Missing" value={r.checks.gaps ? r.missing : UNCHECKABLE} hot title={r.checks.gaps ? undefined : UNCHECKABLE_TITLES.gaps} />
        <Stat label="Out of order" value={r.checks.order ? r.outOfOrder : UNCHECKABLE} hot title={r.checks.order ? undefined : UNCHECKABLE_TITLES.order} />
        <Stat label="After terminal" value={r.afterTerminal} hot />
        <Stat label="Stalls" value={r.stalls} hot />
        <Stat label="Violations" value={r.violations} hot />
        <Stat label="Disconnects" value={r.disconnects} hot />
        {several && <Stat label="Delivery loss" value={r.deliveryLoss} hot />}
        {r.attempts > 1 && <Stat label="Attempts" value={r.attempts} />}
        <Stat label="TTFT" value={ttftText(r)} title={ttftTitle(r)} />
        <Stat label="Duration" value={formatMs(r.durationMs)} />
        <Stat label="Started" value={formatDateTime(r.firstAt)} />
      </dl>
      {partial && <p className="muted">Showing the first {formatCount(frameCount)} frames of this session in the charts and table; counters above cover all of it.</p>}
      {several && <ObservationsPanel observations={detail.observations} comparison={detail.comparison} shown={detail.vantage} onShow={setVantage} />}
      <div id="chart-anchor" />
      {timeline ? (
        <SessionCharts timeline={timeline} detail={detail} theme={theme} focus={focus} onPick={(point) => setSelectedFrame(picked(point))} knownWidth={viewWidth.current} />
      ) : (
        <p className="muted">Frames unavailable: no charts.</p>
      )}
      {belowFold && (
        <>
          <div className="detail-columns">
            <AnomalyList anomalies={detail.anomalies} dropped={detail.anomaliesDropped ?? 0} t0={t0} selected={selectedAnomaly} onPick={(index) => void pickAnomaly(index)} />
            <ReconcilePanel
              key={sessionId}
              result={detail.reconcile}
              recheck={async () => {
                const answer = await api.invoke('sessions.reconcile', { sessionId });
                return answer.ok ? answer.value : answer.error.message;
              }}
            />
          </div>
          {text ? (
            <TextComparison
              key={sessionId}
              correct={text.correct}
              naive={text.naive}
              correctChars={text.correctChars}
              naiveChars={text.naiveChars}
              note={partial ? 'From the frames loaded.' : null}
              loadAll={async () => {
                const all = await api.invoke('sessions.text', { sessionId, ...seen });
                return all.ok ? all.value : all.error.message;
              }}
            />
          ) : (
            <TextComparison
              key={sessionId}
              correct={[{ kind: 'text', text: detail.text, sequence: null }]}
              naive={[{ kind: 'text', text: detail.naiveText, sequence: null }]}
              correctChars={detail.textLength ?? detail.text.length}
              naiveChars={detail.naiveTextLength ?? detail.naiveText.length}
              note="Frames unavailable: texts as the monitor holds them."
              loadAll={async () => {
                const all = await api.invoke('sessions.get', { sessionId, ...seen });
                return all.ok
                  ? { correct: [{ kind: 'text', text: all.value.text, sequence: null }], naive: [{ kind: 'text', text: all.value.naiveText, sequence: null }] }
                  : all.error.message;
              }}
            />
          )}
          <FramesTable
            api={api}
            sessionId={sessionId}
            vantage={vantage}
            total={frameCount}
            version={loaded.version}
            selected={selectedFrame?.index ?? null}
            onSelect={setSelectedFrame}
          />
        </>
      )}
    </section>
  );
}

type Row = SessionDetail['row'];

/** TTFT needs a known start of the job and a stream seen from its beginning; otherwise say why there is none. */
function ttftText(r: Row): string {
  if (r.ttftMs !== null) return `${formatMs(r.ttftMs)}${r.ttftFrom === 'record' ? ' (from the record)' : r.ttftFrom === 'run' ? ' (from the run)' : ''}`;
  if (r.ttftNote === 'joined_late') return '— joined late';
  if (r.ttftNote === 'no_known_start') return '— start unknown';
  return '—';
}

function ttftTitle(r: Row): string | undefined {
  if (r.ttftNote === 'joined_late') return 'EchoScope began watching after the job had started: the first token it saw is not the first one sent.';
  if (r.ttftNote === 'no_known_start')
    return "No known start of the job: a subscription is not one (it may precede the job by minutes). A scenario run, or reconciling with the app record's initiated_at, gives one.";
  return undefined;
}

/** What a counter shows when the session's contract cannot know it (a stream without sequence numbers). */
const UNCHECKABLE = 'cannot be known';
const UNCHECKABLE_TITLES = {
  gaps: "This stream carries no sequence numbers (the Laravel AI SDK's, Prism's): a lost event leaves no hole, so this cannot be checked.",
  order: 'This stream carries no sequence numbers and its ids do not sort in the order they were made: arrival is the only order, so this cannot be checked.',
  duplicates: 'This stream gives no event an id of its own (the Vercel data stream shares one per text part): a redelivered event cannot be told from a new one.',
} as const;

function Stat({ label, value, hot = false, title }: { label: string; value: string | number; hot?: boolean; title?: string | undefined }) {
  const isHot = hot && typeof value === 'number' && value > 0;
  const unknown = value === UNCHECKABLE;
  return (
    <div className={`stat ${isHot ? 'hot' : ''} ${unknown ? 'unknown' : ''}`} title={title} data-unknown={unknown ? 'true' : undefined}>
      <dt>{label}</dt>
      <dd>{typeof value === 'number' ? formatCount(value) : value}</dd>
    </div>
  );
}
