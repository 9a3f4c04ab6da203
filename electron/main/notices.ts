import { dialog } from 'electron';

export interface Notice {
  type: 'warning' | 'error';
  message: string;
  detail?: string;
}

/** At most this many notices wait to be shown; past that (an error in a loop) they are only logged. */
const MAX_QUEUED = 5;

/**
 * What the user must be told (profiles moved aside, secrets kept in memory only, a crash
 * caught): logged at once, then shown one dialog at a time once the app is ready. A notice
 * equal to one already waiting is not queued twice.
 */
export class Notices {
  private readonly queue: Notice[] = [];
  private ready = false;
  private showing: Promise<void> | undefined;

  constructor(private readonly log: (line: string) => void = (line) => console.error(line)) {}

  tell(notice: Notice): void {
    this.log(`EchoScope ${notice.type}: ${notice.message}${notice.detail ? `\n${notice.detail}` : ''}`);
    if (this.queue.length >= MAX_QUEUED) return;
    if (this.queue.some((queued) => queued.message === notice.message && queued.detail === notice.detail)) return;
    this.queue.push(notice);
    this.pump();
  }

  /** Dialogs need the app to be ready; notices told earlier wait until then. */
  setReady(): void {
    this.ready = true;
    this.pump();
  }

  /** Resolves once every notice told so far has been shown and dismissed. */
  async idle(): Promise<void> {
    while (this.showing) await this.showing;
  }

  private pump(): void {
    if (!this.ready || this.showing) return;
    const notice = this.queue[0];
    if (!notice) return;
    this.showing = this.show(notice)
      .catch((error: unknown) => this.log(`EchoScope: could not show a dialog: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.queue.shift();
        this.showing = undefined;
        this.pump();
      });
  }

  /** Not modal: the dashboard stays usable (and scriptable by tests) while a notice is up. */
  private async show(notice: Notice): Promise<void> {
    await dialog.showMessageBox({ type: notice.type, title: 'EchoScope', message: notice.message, buttons: ['OK'], ...(notice.detail ? { detail: notice.detail } : {}) });
  }
}
