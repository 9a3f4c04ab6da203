// @vitest-environment jsdom
/**
 * Settings' contract form against a REAL host (the App service in-process, behind the same typed
 * API the window uses, every answer validated by its schema): a journal of an app that renames
 * the seed's event and two fields is not read automatically; choosing Custom and editing the
 * fields, the preview follows each edit — violations naming the missing sequence, then the
 * session — a field the host refuses shows its message next to it, and "Use this contract"
 * changes live analysis.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AppService } from '../../../../electron/core/app';
import { createAppApi, type AppApi } from '../../../../shared/api';
import { serializeJournal, type JournalRecord } from '../../../../shared/journal';
import { ContractSettings } from './ContractSettings';

const T0 = 1_764_669_600_000;
const CHANNEL = 'private-ai.L1';

const frame = (at: number, n: number, state: string, text: string): JournalRecord => ({
  type: 'frame',
  at: T0 + at,
  connection: 'c1',
  channel: CHANNEL,
  event: 'token.streamed',
  data: { session_id: 'L1', n, text, state, termination_code: state === 'completed' ? 'end_turn' : null },
});

const JOURNAL = serializeJournal(
  [
    { type: 'subscription', at: T0, connection: 'c1', channel: CHANNEL, status: 'subscribed' },
    frame(10, 1, 'generating', 'Hel'),
    frame(20, 2, 'generating', 'lo'),
    frame(30, 3, 'completed', '!'),
  ],
  '2026-12-02T10:00:00Z',
);

/** The window's typed API over the service itself (no socket: the same dispatch and schemas). */
function apiOf(service: AppService): AppApi {
  return createAppApi({ invoke: (command, request) => service.handle(command, request), on: () => () => undefined, ready: () => undefined });
}

const services: AppService[] = [];
afterEach(() => {
  cleanup();
  for (const service of services.splice(0)) service.close();
});

async function hostWithJournal(): Promise<AppService> {
  const service = new AppService({ transport: 'browser', version: 't', clock: () => T0 + 1000, monitor: { tickMs: 60_000 } });
  services.push(service);
  expect(await service.invoke('journal.import', { fileName: 'legacy.ndjson', content: JOURNAL })).toMatchObject({ ok: true });
  return service;
}

const summary = () => screen.getByTestId('preview-summary').textContent;
/** An input of the custom form's kind by the start of its label (the other kind's section, greyed, has its own). */
const field = (label: string) => {
  const form = screen.getByTestId('contract-custom');
  const starts = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(optional\\))?$`);
  return within(form.querySelector<HTMLElement>(`:scope > [data-section="${form.dataset.kind}"]`)!).getByLabelText(starts, { selector: 'input' });
};

describe('the contract form', () => {
  it('previews each edit against the recorded frames, names a refused field next to it, and applies the contract', async () => {
    const service = await hostWithJournal();
    render(<ContractSettings api={apiOf(service)} />);

    expect((await screen.findByTestId('contract-active')).textContent).toMatch(/In use: Automatic/);
    await waitFor(() => expect(summary()).toBe('No session found in 3 frames, each channel’s contract detected.'), { timeout: 5000 });
    expect(screen.getByTestId('preview-unread-channel').textContent).toContain(CHANNEL);

    fireEvent.click(screen.getByLabelText(/^Custom/));
    // a copy of the seed's contract: the event is not this app's, nothing is read
    expect((field('Event name') as HTMLInputElement).value).toBe('chunk.delivered');
    await waitFor(() => expect(screen.getByTestId('preview-frames-read').textContent).toBe('0 of 3'), { timeout: 5000 });

    fireEvent.change(field('Event name'), { target: { value: 'token.streamed' } });
    // read now, but every frame breaks the contract: the sequence is called n here
    await waitFor(() => expect(screen.getByTestId('preview-violations').textContent).toContain('sequence is missing'), { timeout: 5000 });
    expect(screen.getByTestId('preview-frames-read').textContent).toBe('3 of 3');

    fireEvent.change(field('Sequence number'), { target: { value: 'text' } });
    // "text" is not the chunk field yet: the seed's chunk field is "chunk"; then the chunk field is renamed to the same word
    fireEvent.change(field('Chunk (token text)'), { target: { value: 'text' } });
    const issues = await screen.findByTestId('contract-issues', {}, { timeout: 5000 });
    expect(issues.getAttribute('role')).toBe('alert');
    expect(issues.textContent).toContain('fields.sequence: "text" is already the chunk field');
    const sequence = field('Sequence number');
    expect(sequence.getAttribute('aria-invalid')).toBe('true');
    const error = document.getElementById(
      sequence
        .getAttribute('aria-describedby')!
        .split(' ')
        .find((id) => id.endsWith('-error'))!,
    );
    expect(error?.textContent).toContain('"text" is already the chunk field');
    expect(summary()).toMatch(/this draft cannot work/);

    fireEvent.change(field('Sequence number'), { target: { value: 'n' } });
    await waitFor(() => expect(screen.getByTestId('preview-sessions-total').textContent).toBe('1'), { timeout: 5000 });
    expect(screen.queryByTestId('contract-issues')).toBeNull();
    const row = screen.getByTestId('preview-session');
    expect(row.getAttribute('data-session')).toBe('L1');
    expect(within(row).getByTestId('preview-status').getAttribute('data-status')).toBe('completed');
    expect(screen.queryByTestId('preview-violations')).toBeNull();

    // the preview changed nothing live; using the contract does
    expect(await service.invoke('sessions.list', {})).toMatchObject({ ok: true, value: { rows: [] } });
    fireEvent.click(screen.getByRole('button', { name: 'Use this contract' }));
    await waitFor(() => expect(screen.getByTestId('contract-message').textContent).toContain('Saved'));
    expect(screen.getByTestId('contract-active').textContent).toBe('In use: Custom: default');
    expect(screen.getByTestId('contract-in-use')).toBeTruthy();
    expect(await service.invoke('sessions.list', {})).toMatchObject({ ok: true, value: { rows: [{ sessionId: 'L1', status: 'completed', events: 3 }] } });
    expect(await service.invoke('monitor.profile', {})).toMatchObject({
      ok: true,
      value: { automatic: false, profile: { event: 'token.streamed', fields: { sequence: 'n', chunk: 'text' } } },
    });

    // back to automatic
    fireEvent.click(screen.getByLabelText(/^Automatic/));
    fireEvent.click(screen.getByRole('button', { name: 'Use automatic detection' }));
    await waitFor(() => expect(screen.getByTestId('contract-active').textContent).toMatch(/In use: Automatic/));
    expect(await service.invoke('monitor.profile', {})).toMatchObject({ ok: true, value: { automatic: true, profile: null } });
  });

  it('Edit as JSON is the same contract: a JSON edit fills the form, a form edit rewrites the JSON', async () => {
    const service = await hostWithJournal();
    render(<ContractSettings api={apiOf(service)} />);
    await screen.findByText(/Automatic — each channel/);
    fireEvent.click(screen.getByLabelText(/^Laravel AI SDK/));
    fireEvent.click(screen.getByRole('button', { name: 'Edit a copy as a custom contract' }));
    expect(screen.getByTestId('contract-custom').getAttribute('data-kind')).toBe('stream');
    expect((field('Attempt (run) id') as HTMLInputElement).value).toBe('invocation_id');

    const json = screen.getByTestId('contract-profile') as HTMLTextAreaElement;
    expect(JSON.parse(json.value)).toMatchObject({ name: 'laravel-ai', stream: { fields: { attempt: 'invocation_id' } } });
    fireEvent.change(field('Attempt (run) id'), { target: { value: 'run_id' } });
    expect(JSON.parse(json.value)).toMatchObject({ stream: { fields: { attempt: 'run_id' } } });

    fireEvent.change(json, { target: { value: JSON.stringify({ name: 'legacy', event: 'token.streamed', fields: { sequence: 'n', chunk: 'text' } }) } });
    expect(screen.getByTestId('contract-custom').getAttribute('data-kind')).toBe('sequenced');
    expect((field('Event name') as HTMLInputElement).value).toBe('token.streamed');
    await waitFor(() => expect(screen.getByTestId('preview-sessions-total').textContent).toBe('1'), { timeout: 5000 });

    fireEvent.change(json, { target: { value: '{"name": ' } });
    expect(screen.getByRole('alert').textContent).toMatch(/^not JSON/);
  });
});
