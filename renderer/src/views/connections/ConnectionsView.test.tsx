// @vitest-environment jsdom
/**
 * "Import from .env" in the Connections view, against a REAL host (the App service in-process,
 * behind the typed API the window uses, every request and answer validated by its schema): the
 * user picks their Laravel app's .env (the hand-written fixtures of shared/laravel), sees what
 * it says and what is wrong by line, and saves the profile it fills in. The expected values
 * are those of the fixtures, read by hand (see shared/laravel/laravel-env.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { AppService } from '../../../../electron/core/app';
import { createAppApi, type AppApi, type ProfileView } from '../../../../shared/api';
import { ConnectionsView } from './ConnectionsView';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'shared', 'laravel', 'fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.env`), 'utf8');

function apiOf(service: AppService): AppApi {
  return createAppApi({ invoke: (command, request) => service.handle(command, request), on: () => () => undefined, ready: () => undefined });
}

const services: AppService[] = [];
afterEach(() => {
  cleanup();
  for (const service of services.splice(0)) service.close();
});

/** The view as the app shows it: profiles listed from the host, listed again after a change. */
function Connections({ api }: { api: AppApi }) {
  const [profiles, setProfiles] = useState<ProfileView[]>([]);
  const refresh = async () => {
    const listed = await api.invoke('profiles.list', {});
    if (listed.ok) setProfiles(listed.value);
  };
  return <ConnectionsView api={api} profiles={profiles} connections={{}} onProfilesChanged={refresh} />;
}

function host(): { service: AppService; api: AppApi } {
  const service = new AppService({ transport: 'browser', version: 't', clock: () => 1_764_669_600_000, monitor: { tickMs: 60_000 } });
  services.push(service);
  return { service, api: apiOf(service) };
}

const form = () => screen.getByTestId('profile-form');
const input = (label: RegExp) => within(form()).getByLabelText(label) as HTMLInputElement;

describe('Import from .env', () => {
  it("reads a Reverb app's .env picked by the user, fills the profile form with it, and saves the profile", async () => {
    const { service, api } = host();
    render(<Connections api={api} />);
    fireEvent.click(screen.getByRole('button', { name: 'Import from .env' }));
    const picker = screen.getByTestId('env-file');
    fireEvent.change(picker, { target: { files: [new File([fixture('reverb')], 'reverb.env', { type: 'text/plain' })] } });

    const facts = await screen.findByTestId('env-facts');
    expect(
      within(facts)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'Laravel broadcasts with reverb (BROADCAST_CONNECTION, line 11)',
      "server ws://localhost:8080 as the frontend's Echo connects (VITE_REVERB_HOST, line 30; VITE_REVERB_PORT, line 31; VITE_REVERB_SCHEME, line 32)",
      'app key qa7xq1vwxtzmv8yfbh0k (VITE_REVERB_APP_KEY, line 29)',
      'app id 417263 (REVERB_APP_ID, line 21)',
      'private channels signed with the app secret (REVERB_APP_SECRET, line 23)',
    ]);
    expect(screen.queryByTestId('env-errors')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Use these values' }));

    expect(within(form()).getByRole('heading').textContent).toBe('New connection profile from reverb.env');
    expect(input(/^Profile id/).value).toBe('ai-tokens-env');
    expect(input(/^Name/).value).toBe('AI Tokens (.env)');
    expect(input(/^Host/).value).toBe('localhost');
    expect(input(/^Port/).value).toBe('8080');
    expect(input(/^TLS/).checked).toBe(false);
    expect(input(/^App key/).value).toBe('qa7xq1vwxtzmv8yfbh0k');
    expect(input(/^App id/).value).toBe('417263');
    expect(input(/^App secret/).value).toBe('ow2ycmvzyx3zd1bsbyhe');
    expect(input(/^Prefix/).value).toBe('private-ai.');
    // APP_URL's record route is offered for reconciliation, not set
    expect(input(/^Generation record URL/).value).toBe('');
    fireEvent.click(within(form()).getByRole('button', { name: 'Use the app’s record route (APP_URL)' }));
    expect(input(/^Generation record URL/).value).toBe('http://localhost:8000/api/generations/{sessionId}');

    fireEvent.click(within(form()).getByRole('button', { name: 'Save profile' }));
    await waitFor(() => expect(screen.queryByTestId('profile-form')).toBeNull());
    const saved = await service.invoke('profiles.list', {});
    expect(saved).toEqual({
      ok: true,
      value: [
        expect.objectContaining({
          id: 'ai-tokens-env',
          kind: 'reverb',
          host: 'localhost',
          port: 8080,
          tls: false,
          key: 'qa7xq1vwxtzmv8yfbh0k',
          appId: '417263',
          auth: { mode: 'secret', hasSecret: true },
          discover: expect.objectContaining({ prefix: 'private-ai.' }),
          reconcile: expect.objectContaining({ url: 'http://localhost:8000/api/generations/{sessionId}' }),
        }),
      ],
    });
    expect(screen.getAllByTestId('profile-row').map((row) => row.dataset.profile)).toEqual(['ai-tokens-env']);
  });

  it('a bad .env: every problem by its line, and no profile to use', async () => {
    const { api } = host();
    render(<Connections api={api} />);
    fireEvent.click(screen.getByRole('button', { name: 'Import from .env' }));
    fireEvent.change(screen.getByTestId('env-text'), { target: { value: fixture('broken') } });
    const errors = await screen.findByTestId('env-errors');
    expect(errors.getAttribute('role')).toBe('alert');
    // fixtures/broken.env: 1 unquoted space, 3 \q, 4 port 80a80, 5 "=oops", 6 ${REVERB_SERVER} set later, 7 scheme wss, 9 open quote
    const items = within(errors).getAllByRole('listitem');
    expect(items.map((li) => li.dataset.line)).toEqual(['1', '3', '4', '5', '6', '7', '9']);
    expect(items[2]!.textContent).toBe('line 4: REVERB_PORT=80a80 is not a port number (1–65535) (or give the server URL below)');
    expect(items[4]!.textContent).toContain('REVERB_SERVER is set only later (line 8): move it above');
    expect((screen.getByRole('button', { name: 'Use these values' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('BROADCAST_CONNECTION=reverb with only PUSHER_* set: named, and choosing the connection to read settles it', async () => {
    const { api } = host();
    render(<Connections api={api} />);
    fireEvent.click(screen.getByRole('button', { name: 'Import from .env' }));
    fireEvent.change(screen.getByTestId('env-text'), {
      target: { value: 'BROADCAST_CONNECTION=reverb\nPUSHER_APP_ID=1\nPUSHER_APP_KEY=pk\nPUSHER_APP_SECRET=ps\nPUSHER_APP_CLUSTER=eu\n' },
    });
    const errors = await screen.findByTestId('env-errors');
    // the key and the server would both be needed to settle it here: the form offers only the server, so no "or …"
    expect(within(errors).getByRole('listitem').textContent).toBe(
      'line 1: BROADCAST_CONNECTION=reverb, but no REVERB_* variable is set; PUSHER_APP_KEY is (line 3): is the app on pusher?',
    );
    fireEvent.change(screen.getByTestId('env-kind'), { target: { value: 'pusher' } });
    await waitFor(() => expect(screen.queryByTestId('env-errors')).toBeNull());
    expect(screen.getByTestId('env-facts').textContent).toContain('Pusher Channels, cluster eu (PUSHER_APP_CLUSTER, line 5)');
    fireEvent.click(screen.getByRole('button', { name: 'Use these values' }));
    expect((within(form()).getByDisplayValue('Pusher Channels') as HTMLSelectElement).value).toBe('pusher');
    expect(input(/^Cluster/).value).toBe('eu');
  });

  it('a redis-broadcaster app: says laravel-echo-server’s address is missing; given it, a socketio profile asking the app’s auth route', async () => {
    const { api } = host();
    render(<Connections api={api} />);
    fireEvent.click(screen.getByRole('button', { name: 'Import from .env' }));
    fireEvent.change(screen.getByTestId('env-text'), { target: { value: fixture('redis') } });
    const errors = await screen.findByTestId('env-errors');
    expect(within(errors).getByRole('listitem').textContent).toMatch(/^line 7: BROADCAST_DRIVER=redis: .*laravel-echo-server.*\(or give the server URL below\)$/);
    fireEvent.change(screen.getByTestId('env-server'), { target: { value: 'http://127.0.0.1:6001' } });
    await waitFor(() => expect(screen.queryByTestId('env-errors')).toBeNull());
    expect(screen.getByTestId('env-warnings').textContent).toContain('answers only a logged-in user');
    expect(screen.getByTestId('env-facts').textContent).toContain('databaseConfig.redis.keyPrefix "echoscope_fixture_database_"');
    fireEvent.click(screen.getByRole('button', { name: 'Use these values' }));
    expect((within(form()).getByDisplayValue('laravel-echo-server (Socket.IO)') as HTMLSelectElement).value).toBe('socketio');
    expect(input(/^Port/).value).toBe('6001');
    expect(input(/^Auth endpoint/).value).toBe('http://127.0.0.1:8000/broadcasting/auth');
  });
});
