import { dialog, shell, type BrowserWindow } from 'electron';

/** An http(s) URL as the user will see it (parsed, so a look-alike host shows in punycode), or null. */
export function externalHttpUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * Opens links in the user's browser only when the user says so. The page cannot open anything
 * by itself: every http(s) link it tries to open (window.open, target=_blank, a navigation)
 * becomes a dialog naming the URL, and only a click on "Open" — the user's own gesture, in
 * main's UI, not the page's — reaches `shell.openExternal`. Other schemes (file:, javascript:,
 * custom protocol handlers) are refused outright. While a dialog is up, further requests are
 * dropped, so a page cannot pile up dialogs.
 */
export class ExternalLinks {
  private asking = false;

  constructor(private readonly parent: () => BrowserWindow | undefined) {}

  /** Returns whether the user chose to open it (false when refused or dropped). */
  async request(url: string): Promise<boolean> {
    const href = externalHttpUrl(url);
    if (href === null || this.asking) return false;
    this.asking = true;
    try {
      const options = {
        type: 'question' as const,
        buttons: ['Cancel', 'Open in browser'],
        defaultId: 0,
        cancelId: 0,
        title: 'Open link',
        message: 'Open this link in your browser?',
        detail: href,
      };
      const window = this.parent();
      const answer = window && !window.isDestroyed() ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
      if (answer.response !== 1) return false;
      await shell.openExternal(href);
      return true;
    } finally {
      this.asking = false;
    }
  }
}
