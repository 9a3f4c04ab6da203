import type { Analyzer } from '../../shared/analysis';
import type { ConnectionStatus } from '../../shared/api';
import type { JournalRecord } from '../../shared/journal';

/**
 * The live account `watch` gives on stderr while it runs (on a terminal, unless --quiet):
 * the connection coming up or dropping, channels found and subscribed, and each session
 * as it ends, with its status. One line per change, nothing per token.
 */
export class WatchProgress {
  private state: string | undefined;
  private discovered = -1;
  private readonly subscribed = new Set<string>();
  private readonly ended = new Set<string>();
  private muted = false;
  private connectedOnce = false;

  constructor(
    /** What is watched, in words (`127.0.0.1:6001`, `Pusher cluster eu`). */
    private readonly server: string,
    private readonly analyzer: Analyzer,
    private readonly say: (line: string) => void,
  ) {}

  /** `watch` is closing its connection itself: that is no drop to report. */
  stop(): void {
    this.muted = true;
  }

  status(status: ConnectionStatus): void {
    if (this.muted) return;
    // A drop is not progress: WatchHealth says it, --quiet or not.
    if (status.state !== this.state) {
      this.state = status.state;
      if (status.state === 'connected') {
        this.say(`${this.connectedOnce ? 'reconnected' : 'connected'} to ${this.server}${status.socketId ? ` (socket ${status.socketId})` : ''}`);
        this.connectedOnce = true;
      }
    }
    const discovery = status.discovery;
    if (discovery && discovery.lastPollAt !== null && discovery.error === undefined && discovery.channels !== this.discovered) {
      this.discovered = discovery.channels;
      this.say(`discovery: ${discovery.channels} channel${discovery.channels === 1 ? '' : 's'} under ${discovery.prefix}`);
    }
  }

  /** After the analyzer ingested `record` (`session`: the key it gave a frame). */
  record(record: JournalRecord, session: string | undefined): void {
    if (this.muted) return;
    if (record.type === 'subscription') {
      if (record.status === 'subscribed' && !this.subscribed.has(record.channel)) {
        this.subscribed.add(record.channel);
        this.say(`watching ${record.channel} (${this.subscribed.size} channel${this.subscribed.size === 1 ? '' : 's'})`);
      } else if (record.status === 'unsubscribed') this.subscribed.delete(record.channel);
      return;
    }
    if (session === undefined || this.ended.has(session)) return;
    const terminalAt = this.analyzer.sessionTimes(session)?.terminalAt;
    if (terminalAt === undefined || !Number.isFinite(terminalAt)) return;
    this.ended.add(session);
    const verdict = this.analyzer.sessionVerdict(session, record.at, { includeText: false });
    if (!verdict) return;
    const problems = [
      verdict.missing > 0 ? `${verdict.missing} missing` : '',
      verdict.duplicates > 0 ? `${verdict.duplicates} duplicate${verdict.duplicates === 1 ? '' : 's'}` : '',
      verdict.replays > 0 ? `${verdict.replays} replay${verdict.replays === 1 ? '' : 's'}` : '',
      verdict.outOfOrder > 0 ? `${verdict.outOfOrder} out of order` : '',
      verdict.violations > 0 ? `${verdict.violations} violation${verdict.violations === 1 ? '' : 's'}` : '',
    ].filter((part) => part.length > 0);
    this.say(
      `session ${session} ended: ${verdict.status}${verdict.terminationCode ? ` (${verdict.terminationCode})` : ''}, ${verdict.events} event${verdict.events === 1 ? '' : 's'}${problems.length > 0 ? `, ${problems.join(', ')}` : ''}`,
    );
  }
}
