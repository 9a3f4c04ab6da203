import { AppError } from '../../../../shared/api';
import type { JournalRecord } from '../../../../shared/journal';
import { FaultProxy } from '../../proxy';
import type { DomainHandlers, DomainService } from '../command-router';

export interface ProxyServiceDeps {
  /** The capture path: the proxy's clients are journaled and analyzed like the hub's connections. */
  record: (record: JournalRecord) => void;
  onWarning: (message: string) => void;
}

/** The fault proxy started from the app, one at a time: `proxy.status|start|faults|stop`. */
export class ProxyService implements DomainService<'proxy'> {
  readonly handlers: DomainHandlers<'proxy'>;
  private proxy: FaultProxy | null = null;
  /** How many were started: their clients' connection names differ. */
  private runs = 0;

  constructor({ record, onWarning }: ProxyServiceDeps) {
    this.handlers = {
      'proxy.status': () => this.proxy?.status() ?? null,
      'proxy.start': async ({ upstream, protocol, port, faults }) => {
        if (this.proxy !== null) throw new AppError('conflict', `a proxy already runs at ${this.proxy.url} in front of ${this.proxy.upstream}: stop it first`);
        const run = ++this.runs;
        try {
          this.proxy = await FaultProxy.start({
            upstream,
            protocol,
            port,
            faults,
            connectionPrefix: run === 1 ? 'proxy' : `proxy-${run}`,
            record,
            log: onWarning,
          });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new AppError(
            'invalid_request',
            /EADDRINUSE/.test(message) ? `port ${port} is in use: choose another, or 0 for any free port` : message.replace(/^--upstream /, 'upstream '),
          );
        }
        return this.proxy.status();
      },
      'proxy.faults': (faults) => {
        if (this.proxy === null) throw new AppError('not_found', 'no proxy runs: start one first');
        this.proxy.setFaults(faults);
        return this.proxy.status();
      },
      'proxy.stop': async () => {
        const proxy = this.proxy;
        if (proxy === null) return { stopped: false, truth: null };
        this.proxy = null;
        const truth = proxy.truth();
        await proxy.close();
        return { stopped: true, truth };
      },
    };
  }

  close(): void {
    void this.proxy?.close();
    this.proxy = null;
  }
}
