import { describe, expect, it } from 'vitest';
import { BUILTIN_CONTRACTS, builtinContract, parseContractProfile, type BuiltinContractName } from '../../../../shared/contract';
import { draftOfBuiltin, draftOfProfile, issuesAt, profileOfDraft } from './contract-draft';

/** The form and "Edit as JSON" are one profile: a contract through the form's draft is the same contract. */
describe('contract drafts', () => {
  it.each(Object.keys(BUILTIN_CONTRACTS) as BuiltinContractName[])('%s through the form is the same contract', (name) => {
    const parsed = parseContractProfile(profileOfDraft(draftOfBuiltin(name)));
    expect(parsed).toEqual({ ok: true, profile: builtinContract(name) });
  });

  it('a partial profile fills the form with the defaults; empty optional fields are none', () => {
    const draft = draftOfProfile({ fields: { chunk: 'delta', terminationCode: null } });
    expect(draft).toMatchObject({ kind: 'sequenced', event: 'chunk.delivered', channel: 'private-ai.{id}', fields: { chunk: 'delta', sequence: 'sequence', terminationCode: '' } });
    expect(profileOfDraft(draft)).toMatchObject({ fields: { chunk: 'delta', terminationCode: null, sessionId: 'session_id' } });
    const stream = draftOfProfile({ stream: { events: { text: ['.token'], end: ['done'] }, fields: { id: 'uid', text: 'piece' } } });
    expect(stream).toMatchObject({ kind: 'stream', events: { text: '.token', end: 'done', start: '' }, streamFields: { id: 'uid', text: 'piece', reason: 'reason', attempt: '' } });
    expect(profileOfDraft({ ...stream, events: { ...stream.events, end: 'done, finished ,' } })).toMatchObject({ stream: { events: { end: ['done', 'finished'], start: [] } } });
  });

  it('keys the form has no control for are sent back as they were (the host judges them)', () => {
    const profile = profileOfDraft(
      draftOfProfile({ evnt: 'typo', stream: { events: { text: ['t'], end: ['e'], later: ['x'] }, fields: { text: 'piece', future: 'f' }, newer: true } }),
    );
    expect(profile).toMatchObject({ evnt: 'typo', stream: { newer: true, events: { later: ['x'], text: ['t'] }, fields: { future: 'f', text: 'piece' } } });
    expect(parseContractProfile(profile)).toMatchObject({ ok: false, error: expect.stringContaining('evnt') });
  });

  it('a control shows the issues that name its path or a part of it', () => {
    const issues = [
      { path: 'states', message: 'no generating' },
      { path: 'states.x', message: 'bad' },
      { path: 'stateful', message: 'other' },
    ];
    expect(issuesAt(issues, 'states').map((i) => i.message)).toEqual(['no generating', 'bad']);
  });
});
