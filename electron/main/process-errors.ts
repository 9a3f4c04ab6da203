import { app, dialog } from 'electron';
import type { Notices } from './notices';

export type Phase = 'starting' | 'running' | 'quitting';

function describe(error: unknown): { message: string; detail: string } {
  if (error instanceof Error) return { message: error.message || error.name, detail: error.stack ?? String(error) };
  return { message: String(error), detail: String(error) };
}

/**
 * Process-level handlers: main runs the embedded mock provider, the hub and the analyzer, so
 * one bad socket or frame handler must not take the dashboard down. Every uncaught exception
 * and unhandled rejection is logged and shown. Once running, the app stays up: the services are
 * event-driven, and a throw unwinds only the one callback it happened in. While starting, the
 * app cannot be trusted to be whole, so it says why and exits; while quitting, only logs.
 */
export function installProcessErrorHandlers(notices: Notices, phase: () => Phase): () => void {
  const onException = (error: unknown) => {
    const { message, detail } = describe(error);
    switch (phase()) {
      case 'starting':
        console.error(`EchoScope: uncaught exception while starting: ${detail}`);
        dialog.showErrorBox('EchoScope could not start', detail);
        app.exit(1);
        return;
      case 'quitting':
        console.error(`EchoScope: uncaught exception while quitting: ${detail}`);
        return;
      case 'running':
        notices.tell({ type: 'error', message: `An internal error was caught; EchoScope keeps running: ${message}`, detail });
    }
  };
  const onRejection = (reason: unknown) => {
    const { message, detail } = describe(reason);
    if (phase() === 'quitting') console.error(`EchoScope: unhandled rejection while quitting: ${detail}`);
    else notices.tell({ type: 'error', message: `An internal operation failed; EchoScope keeps running: ${message}`, detail });
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
