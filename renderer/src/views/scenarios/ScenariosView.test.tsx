// @vitest-environment jsdom
/**
 * The Scenarios view on a stand-in for the preload (test-support/fake-preload): after a reload it
 * asks the host for its runs and shows them with their results, and a check run's sessions link
 * to their session page.
 */
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppApi, type ScenarioRunEntry } from '../../../../shared/api';
import { FakePreload } from '../../../../test-support/fake-preload';
import { ScenariosView } from './ScenariosView';

afterEach(cleanup);

const checked: ScenarioRunEntry = {
  run: {
    runId: 'run-1',
    scenario: 'crash-retry',
    mode: 'check',
    sessions: [
      { sessionId: 'crash-retry-1', channel: 'private-ai.crash-retry-1' },
      { sessionId: 'crash-retry-2', channel: 'private-ai.crash-retry-2' },
    ],
  },
  progress: {
    runId: 'run-1',
    scenario: 'crash-retry',
    mode: 'check',
    state: 'finished',
    sessions: 2,
    queued: 0,
    waiting: 0,
    active: 0,
    resolved: 2,
    published: 80,
    elapsedMs: 2400,
    result: { passed: false, sessionsFailed: 1, failures: [{ sessionId: 'crash-retry-2', field: 'replays', reason: 'expected 1, got 0' }], scores: [] },
  },
};

describe('ScenariosView', () => {
  it("shows the host's runs after a reload, and a check run's sessions and failures link to their session page", async () => {
    const fake = new FakePreload().answer('scenarios.list', { ok: true, value: [] }).answer('scenarios.runs', { ok: true, value: [checked] });
    render(<ScenariosView api={createAppApi(fake)} />);
    const card = await screen.findByTestId('scenario-run');
    expect(fake.invokes.map((i) => i.command)).toContain('scenarios.runs');
    expect(card.getAttribute('data-run')).toBe('run-1');
    expect(within(card).getByTestId('run-state').textContent).toContain('failed');
    expect(within(card).getByText(/2\/2 sessions resolved/)).toBeTruthy();
    const links = within(card).getAllByTestId('run-session-link');
    expect(links.map((link) => [link.textContent, link.getAttribute('href')])).toEqual([
      ['crash-retry-1', '#/session/crash-retry-1'],
      ['crash-retry-2', '#/session/crash-retry-2'],
    ]);
    // the failing session in the result links there too
    const failure = card.querySelector('.failures li')!;
    expect(
      within(failure as HTMLElement)
        .getByRole('link')
        .getAttribute('href'),
    ).toBe('#/session/crash-retry-2');
  });
});
