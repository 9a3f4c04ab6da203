import { useEffect, useId, useState, type FormEvent } from 'react';
import type { AppApi, ContractIssue } from '../../../../shared/api';
import { builtinContract, type BuiltinContractName } from '../../../../shared/contract/profile';
import { ContractFields } from './ContractFields';
import { ContractPreviewPanel } from './ContractPreviewPanel';
import { builtinNameOf, draftOfBuiltin, draftOfProfile, profileOfDraft, type ContractDraft } from './contract-draft';
import { useContractPreview } from './use-contract-preview';

/** The built-in contracts, as offered in Settings (shared/contract `BUILTIN_CONTRACTS`). */
const BUILTIN_CHOICES: { name: BuiltinContractName; label: string; hint: string }[] = [
  { name: 'echoscope', label: 'EchoScope (chunk.delivered)', hint: 'the seed contract: session_id, chunk, sequence, state, termination_code on private-ai.{id}' },
  { name: 'laravel-ai', label: 'Laravel AI SDK', hint: 'laravel/ai broadcasts: stream_start, text_delta, stream_end; no sequence numbers, one session per channel' },
  { name: 'prism', label: 'Prism', hint: 'Prism asBroadcast(): stream_start, text_delta, stream_end with finish_reason; no sequence numbers' },
  { name: 'vercel-data-stream', label: 'Vercel AI data stream', hint: 'the AI SDK’s UI message stream relayed over Echo: start, text-delta, finish, abort, error by their type' },
];

type Choice = 'automatic' | BuiltinContractName | 'custom';

/** What live analysis uses now (`monitor.profile`'s answer). */
interface Active {
  automatic: boolean;
  profile: Record<string, unknown> | null;
}

/** The JSON editor's text while it is the source (typed since the form last changed), and the last object it held. */
interface JsonEdit {
  text: string;
  error: string | null;
  profile: unknown;
}

function choiceOf(active: Active): Choice {
  if (active.automatic || active.profile === null) return 'automatic';
  return builtinNameOf(active.profile) ?? 'custom';
}

function activeLabel(active: Active): string {
  const choice = choiceOf(active);
  if (choice === 'automatic') return 'Automatic — each channel’s contract detected from its first frames';
  if (choice === 'custom') return `Custom: ${typeof active.profile?.name === 'string' ? active.profile.name : 'unnamed'}`;
  return BUILTIN_CHOICES.find((builtin) => builtin.name === choice)?.label ?? choice;
}

/**
 * The contract live analysis reads channels with: automatic detection (the default), a built-in,
 * or a custom contract edited as a form (or as JSON), previewed against the recorded frames as
 * it is edited. Validation is the host's: its issues are shown next to the fields they name.
 */
export function ContractSettings({ api }: { api: AppApi }) {
  const [active, setActive] = useState<Active | null>(null);
  const [choice, setChoice] = useState<Choice>('automatic');
  const [draft, setDraft] = useState<ContractDraft>(() => draftOfBuiltin('echoscope'));
  const [json, setJson] = useState<JsonEdit | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [applying, setApplying] = useState(false);
  const summaryId = useId();

  useEffect(() => {
    void api.invoke('monitor.profile', {}).then((result) => {
      if (!result.ok) return setMessage({ error: true, text: result.error.message });
      setActive(result.value);
      const current = choiceOf(result.value);
      setChoice(current);
      if (current === 'custom') setDraft(draftOfProfile(result.value.profile));
    });
  }, [api]);

  /** The profile the choice stands for (null: automatic); a custom one as the JSON editor holds it while it is the source. */
  const profile: unknown = choice === 'automatic' ? null : choice === 'custom' ? (json !== null ? json.profile : profileOfDraft(draft)) : builtinContract(choice);
  const profileJson = JSON.stringify(profile);
  const { state: preview, refresh } = useContractPreview(api, profileJson);
  const issues: readonly ContractIssue[] = preview.phase === 'ready' && !preview.preview.valid ? preview.preview.issues : [];
  const jsonText = json?.text ?? (profile === null ? '' : JSON.stringify(profile, null, 2));
  const isActive = active !== null && (profile === null ? active.automatic : !active.automatic && sameContract(active.profile, profile));

  // What "Saved" said is about the contract used, not the one being edited: an edit clears it.
  const choose = (next: Choice) => {
    setChoice(next);
    setMessage(null);
  };
  const editDraft = (update: Partial<ContractDraft>) => {
    setDraft((previous) => ({ ...previous, ...update }));
    setJson(null);
    setMessage(null);
  };
  const copyIntoCustom = (name: BuiltinContractName) => {
    setDraft(draftOfBuiltin(name));
    setJson(null);
    choose('custom');
  };
  const editJson = (text: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return setJson((previous) => ({ text, error: `not JSON: ${error instanceof Error ? error.message : String(error)}`, profile: previous?.profile ?? profile }));
    }
    setJson({ text, error: null, profile: parsed });
    setDraft(draftOfProfile(parsed));
    choose('custom');
  };

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    if (json?.error) return setMessage({ error: true, text: `The JSON cannot be used: ${json.error}` });
    setApplying(true);
    const result = await api.invoke('monitor.profile', { profile });
    setApplying(false);
    if (!result.ok) return setMessage({ error: true, text: result.error.message });
    setActive(result.value);
    setMessage({
      error: false,
      text: result.value.automatic ? 'Saved. Each channel’s contract is detected again from its first frames.' : 'Saved. Sessions were analyzed again with this contract.',
    });
  };

  return (
    <section className="panel contract-settings" aria-labelledby="contract-title" data-testid="contract-form">
      <h3 id="contract-title">Broadcast contract</h3>
      <p className="contract-active" data-testid="contract-active" data-choice={active === null ? undefined : choiceOf(active)}>
        <span className="muted">In use: </span>
        {active === null ? <span className="muted">…</span> : <strong>{activeLabel(active)}</strong>}
      </p>
      <p className="muted small">
        How EchoScope reads your app’s broadcasts: which event carries tokens, which channels carry sessions, what the payload fields are called and which words mean which state.
        The same contract works with <code>echoscope analyze --contract FILE</code> and <code>watch --contract FILE</code>.
      </p>
      <div className="contract-layout">
        <form className="contract-editor" onSubmit={(e) => void apply(e)} aria-labelledby="contract-title" aria-describedby={issues.length > 0 ? summaryId : undefined}>
          <fieldset className="contract-choice" data-testid="contract-choice">
            <legend>Contract</legend>
            <ChoiceOption value="automatic" choice={choice} active={active} onChoose={choose} label="Automatic (detect per channel — recommended)">
              each channel’s contract is chosen among the built-ins from its first frames; a channel that fits none is listed, never dropped
            </ChoiceOption>
            {BUILTIN_CHOICES.map((builtin) => (
              <ChoiceOption key={builtin.name} value={builtin.name} choice={choice} active={active} onChoose={choose} label={builtin.label}>
                {builtin.hint}
              </ChoiceOption>
            ))}
            <ChoiceOption value="custom" choice={choice} active={active} onChoose={choose} label="Custom">
              your app’s own names, as a form below
            </ChoiceOption>
          </fieldset>

          {choice !== 'automatic' && choice !== 'custom' && (
            <div className="row">
              <button type="button" className="secondary" onClick={() => copyIntoCustom(choice)}>
                Edit a copy as a custom contract
              </button>
            </div>
          )}

          {choice === 'custom' && (
            <>
              <div className="row contract-start-from" data-testid="builtin-contracts">
                <span className="muted small">Start from:</span>
                {BUILTIN_CHOICES.map((builtin) => (
                  <button
                    key={builtin.name}
                    type="button"
                    className="secondary small-button"
                    data-contract={builtin.name}
                    title={builtin.hint}
                    onClick={() => copyIntoCustom(builtin.name)}
                  >
                    {builtin.label}
                  </button>
                ))}
              </div>
              <ContractFields draft={draft} issues={issues} onChange={editDraft} />
            </>
          )}

          {choice !== 'automatic' && (
            <details className="contract-json" open={json !== null || undefined}>
              <summary>Edit as JSON</summary>
              <label>
                Contract profile (JSON) — the same contract as the form; editing it makes it a custom contract
                <textarea
                  className="mono"
                  rows={14}
                  value={jsonText}
                  spellCheck={false}
                  data-testid="contract-profile"
                  aria-invalid={json?.error ? true : undefined}
                  onChange={(e) => editJson(e.target.value)}
                />
              </label>
              {json?.error && (
                <p className="field-error" role="alert">
                  {json.error}
                </p>
              )}
            </details>
          )}

          {issues.length > 0 && (
            <div className="contract-issues" role="alert" id={summaryId} data-testid="contract-issues">
              <strong>This contract cannot work:</strong>
              <ul>
                {issues.map((issue, i) => (
                  <li key={i}>
                    <code>{issue.path}</code>: {issue.message}
                  </li>
                ))}
              </ul>
            </div>
          )}

          <div className="row">
            <button type="submit" disabled={applying}>
              {choice === 'automatic' ? 'Use automatic detection' : 'Use this contract'}
            </button>
            {isActive && (
              <span className="chip tone-ok" data-testid="contract-in-use">
                <span aria-hidden="true">✓</span> in use
              </span>
            )}
            {message && (
              <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="contract-message">
                {message.text}
              </span>
            )}
          </div>
        </form>
        <ContractPreviewPanel state={preview} onRefresh={refresh} />
      </div>
    </section>
  );
}

/** A profile in one form whatever was left to defaults (a built-in's input, the host's parsed answer, a draft), to tell whether two are the same contract. */
function sameContract(a: unknown, b: unknown): boolean {
  return JSON.stringify(profileOfDraft(draftOfProfile(a))) === JSON.stringify(profileOfDraft(draftOfProfile(b)));
}

function ChoiceOption({
  value,
  choice,
  active,
  onChoose,
  label,
  children,
}: {
  value: Choice;
  choice: Choice;
  active: Active | null;
  onChoose(choice: Choice): void;
  label: string;
  children: string;
}) {
  const inUse = active !== null && choiceOf(active) === value;
  const id = useId();
  return (
    <div className="contract-option" data-contract-choice={value} data-checked={choice === value || undefined}>
      <input id={id} type="radio" name="contract-choice" value={value} checked={choice === value} aria-describedby={`${id}-hint`} onChange={() => onChoose(value)} />
      <div>
        <label htmlFor={id} className="contract-option-label">
          {label}
          {inUse && <span className="muted"> (in use)</span>}
        </label>
        <span className="muted small" id={`${id}-hint`}>
          {children}
        </span>
      </div>
    </div>
  );
}
