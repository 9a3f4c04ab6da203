import { useId, type ReactNode } from 'react';
import type { ContractIssue } from '../../../../shared/api';
import { CONTRACT_STATES, TERMINAL_STATES } from '../../../../shared/contract/states';
import {
  issuesAt,
  OPTIONAL_SEQUENCED,
  OPTIONAL_STREAM,
  wordRow,
  type ContractDraft,
  type SequencedField,
  type StreamField,
  type StreamRoleName,
  type WordRow,
} from './contract-draft';

/**
 * The custom contract's form: one control per field of the profile, each showing the host's
 * issues that name it (`fields.sequence: …` next to the sequence field). The kind the draft is
 * not is shown greyed and disabled, behind a disclosure: its fields are not read.
 */

interface Props {
  draft: ContractDraft;
  issues: readonly ContractIssue[];
  onChange(update: Partial<ContractDraft>): void;
}

const SEQUENCED_LABELS: Record<SequencedField, { label: string; hint: string }> = {
  sessionId: { label: 'Session id', hint: 'none: sessions are keyed by the channel’s {placeholder}' },
  chunk: { label: 'Chunk (token text)', hint: '' },
  sequence: { label: 'Sequence number', hint: 'an integer ≥ 1, one per chunk' },
  state: { label: 'State', hint: 'a word of the vocabulary below' },
  terminationCode: { label: 'Termination code', hint: 'none: the app sends no code' },
  emittedAt: { label: 'Emitted at', hint: 'epoch ms; none: never read a send time' },
};

const ROLE_LABELS: Record<StreamRoleName, { label: string; hint: string }> = {
  start: { label: 'Start events', hint: 'a run begins (TTFT from it)' },
  text: { label: 'Text events', hint: 'carry the streamed text' },
  end: { label: 'End events', hint: 'end a run; the reason field says how' },
  error: { label: 'Error events', hint: 'end a run as errored' },
  abort: { label: 'Abort events', hint: 'end a run as abandoned' },
  step: { label: 'Step events', hint: 'after one, a start event is the next step, not a restart' },
  other: { label: 'Other events', hint: 'sent but play no role (auto-detection’s evidence)' },
};

const STREAM_LABELS: Record<StreamField, { label: string; hint: string }> = {
  id: { label: 'Event id', hint: 'a second arrival of an id is a duplicate' },
  attempt: { label: 'Attempt (run) id', hint: 'a new value after text is a restart' },
  parentAttempt: { label: 'Parent attempt', hint: 'set: a child run, ignored' },
  text: { label: 'Text', hint: '' },
  reason: { label: 'End reason', hint: 'looked up in the reasons below' },
  errorCode: { label: 'Error code', hint: 'none: the error event’s name' },
  recoverable: { label: 'Recoverable', hint: 'true: the error ends nothing' },
  message: { label: 'Error message', hint: 'the errored run’s detail' },
};

export function ContractFields({ draft, issues, onChange }: Props) {
  const sequenced = <SequencedSection draft={draft} issues={issues} onChange={onChange} />;
  const stream = <StreamSection draft={draft} issues={issues} onChange={onChange} />;
  return (
    <div className="contract-fields" data-testid="contract-custom" data-kind={draft.kind}>
      <fieldset className="radio-row">
        <legend>Kind</legend>
        <label className="checkbox">
          <input type="radio" name="contract-kind" value="sequenced" checked={draft.kind === 'sequenced'} onChange={() => onChange({ kind: 'sequenced' })} />
          Sequenced (a sequence number in every payload)
        </label>
        <label className="checkbox">
          <input type="radio" name="contract-kind" value="stream" checked={draft.kind === 'stream'} onChange={() => onChange({ kind: 'stream' })} />
          Event stream (no sequence numbers: one event name per kind)
        </label>
      </fieldset>
      <div className="contract-grid">
        <TextField label="Contract name" value={draft.name} path="name" issues={issues} onChange={(name) => onChange({ name })} />
        <TextField
          label="Max payload bytes"
          value={draft.maxPayloadBytes}
          path="maxPayloadBytes"
          issues={issues}
          inputMode="numeric"
          hint="Pusher and soketi: 10240; Reverb: 10000"
          onChange={(maxPayloadBytes) => onChange({ maxPayloadBytes })}
        />
      </div>
      {draft.kind === 'sequenced' ? sequenced : stream}
      <details className="contract-unused" data-testid="contract-unused">
        <summary>
          {draft.kind === 'sequenced'
            ? 'Fields a sequenced contract does not read (event-stream roles)'
            : 'Fields an event-stream contract does not read (event name, channel, sequence, states)'}
        </summary>
        <fieldset disabled className="contract-unused-body">
          <legend className="visually-hidden">Not read by this kind of contract</legend>
          {draft.kind === 'sequenced' ? stream : sequenced}
        </fieldset>
      </details>
    </div>
  );
}

function SequencedSection({ draft, issues, onChange }: Props) {
  return (
    <fieldset className="contract-section" data-section="sequenced">
      <legend>Sequenced contract</legend>
      <div className="contract-grid">
        <TextField label="Event name" value={draft.event} path="event" issues={issues} hint="a leading dot is dropped" onChange={(event) => onChange({ event })} />
        <TextField
          label="Channel pattern"
          value={draft.channel}
          path="channel"
          issues={issues}
          hint="one {placeholder} stands for the session id"
          onChange={(channel) => onChange({ channel })}
        />
      </div>
      <fieldset className="contract-subsection">
        <legend>Payload field names</legend>
        <div className="contract-grid">
          {(Object.keys(SEQUENCED_LABELS) as SequencedField[]).map((field) => (
            <TextField
              key={field}
              label={SEQUENCED_LABELS[field].label}
              value={draft.fields[field]}
              path={`fields.${field}`}
              issues={issues}
              optional={OPTIONAL_SEQUENCED.has(field)}
              hint={SEQUENCED_LABELS[field].hint}
              onChange={(value) => onChange({ fields: { ...draft.fields, [field]: value } })}
            />
          ))}
        </div>
      </fieldset>
      <WordRows
        legend="State vocabulary (the payload’s word → state)"
        path="states"
        rows={draft.states}
        choices={CONTRACT_STATES}
        issues={issues}
        newState="generating"
        wordLabel="State word"
        onChange={(states) => onChange({ states })}
      />
    </fieldset>
  );
}

function StreamSection({ draft, issues, onChange }: Props) {
  return (
    <fieldset className="contract-section" data-section="stream">
      <legend>Event-stream contract</legend>
      <p className="muted small">Sessions are keyed by the channel’s suffix after its last dot. Event names are separated by commas.</p>
      <fieldset className="contract-subsection">
        <legend>Event names by role</legend>
        <div className="contract-grid">
          {(Object.keys(ROLE_LABELS) as StreamRoleName[]).map((role) => (
            <TextField
              key={role}
              label={ROLE_LABELS[role].label}
              value={draft.events[role]}
              path={`stream.events.${role}`}
              issues={issues}
              hint={ROLE_LABELS[role].hint}
              onChange={(value) => onChange({ events: { ...draft.events, [role]: value } })}
            />
          ))}
          <TextField
            label="Error when a payload has"
            value={draft.errorWhenField}
            path="stream.events.errorWhenField"
            issues={issues}
            optional
            hint="any other event with this field (and no text) is an error"
            onChange={(errorWhenField) => onChange({ errorWhenField })}
          />
          <TextField
            label="Kind field"
            value={draft.kindField}
            path="stream.events.kindField"
            issues={issues}
            optional
            hint="a relay sending every chunk under one name: the payload’s field naming its kind"
            onChange={(kindField) => onChange({ kindField })}
          />
        </div>
      </fieldset>
      <fieldset className="contract-subsection">
        <legend>Payload field names</legend>
        <div className="contract-grid">
          {(Object.keys(STREAM_LABELS) as StreamField[]).map((field) => (
            <TextField
              key={field}
              label={STREAM_LABELS[field].label}
              value={draft.streamFields[field]}
              path={`stream.fields.${field}`}
              issues={issues}
              optional={OPTIONAL_STREAM.has(field)}
              hint={STREAM_LABELS[field].hint}
              onChange={(value) => onChange({ streamFields: { ...draft.streamFields, [field]: value } })}
            />
          ))}
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={draft.orderedIds} onChange={(e) => onChange({ orderedIds: e.target.checked })} />
          Ids are time-ordered within a run (UUIDv7, ULID): an id below one already seen arrived out of order
        </label>
      </fieldset>
      <WordRows
        legend="End reasons (the end event’s word → terminal state; a word not listed ends the run completed)"
        path="stream.reasons"
        rows={draft.reasons}
        choices={TERMINAL_STATES}
        issues={issues}
        newState="completed"
        wordLabel="Reason"
        onChange={(reasons) => onChange({ reasons })}
      />
      <fieldset className="contract-subsection contract-detect">
        <legend>Detection evidence (read only when EchoScope detects among built-ins; not while this contract is used)</legend>
        <div className="contract-grid">
          <TextField
            label="Fields every frame carries"
            value={draft.detectRequires}
            path="stream.detect.requires"
            issues={issues}
            onChange={(detectRequires) => onChange({ detectRequires })}
          />
          <TextField
            label="Fields no frame carries"
            value={draft.detectAbsent}
            path="stream.detect.absent"
            issues={issues}
            onChange={(detectAbsent) => onChange({ detectAbsent })}
          />
        </div>
      </fieldset>
    </fieldset>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  path: string;
  issues: readonly ContractIssue[];
  onChange(value: string): void;
  hint?: string;
  optional?: boolean;
  inputMode?: 'numeric';
}

/** One input with its label, its hint, and the host's issues that name its path. */
function TextField({ label, value, path, issues, onChange, hint = '', optional = false, inputMode }: TextFieldProps) {
  const id = useId();
  const own = issuesAt(issues, path);
  const described = [hint !== '' ? `${id}-hint` : '', own.length > 0 ? `${id}-error` : ''].filter((part) => part !== '').join(' ');
  return (
    <div className="contract-field" data-path={path} data-invalid={own.length > 0 || undefined}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="muted"> (optional)</span>}
      </label>
      <input
        id={id}
        value={value}
        spellCheck={false}
        autoComplete="off"
        inputMode={inputMode}
        placeholder={optional ? 'none' : undefined}
        aria-invalid={own.length > 0 || undefined}
        aria-describedby={described === '' ? undefined : described}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint !== '' && (
        <span className="muted small" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {own.length > 0 && <FieldError id={`${id}-error`}>{own.map((issue) => issue.message).join('; ')}</FieldError>}
    </div>
  );
}

function FieldError({ id, children }: { id: string; children: ReactNode }) {
  return (
    <span className="field-error" id={id} data-testid="field-error">
      <span aria-hidden="true">✕ </span>
      {children}
    </span>
  );
}

interface WordRowsProps<S extends string> {
  legend: string;
  path: string;
  rows: WordRow<S>[];
  choices: readonly S[];
  issues: readonly ContractIssue[];
  newState: S;
  wordLabel: string;
  onChange(rows: WordRow<S>[]): void;
}

/** An editable table of word → state (the state vocabulary, the end reasons). */
function WordRows<S extends string>({ legend, path, rows, choices, issues, newState, wordLabel, onChange }: WordRowsProps<S>) {
  const id = useId();
  const own = issuesAt(issues, path);
  const update = (key: number, change: Partial<WordRow<S>>) => onChange(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));
  const words = rows.map((row) => row.word.trim());
  return (
    <fieldset className="contract-subsection word-rows" data-path={path} aria-describedby={own.length > 0 ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {rows.length === 0 && <p className="muted small">No words yet.</p>}
      <ul className="word-row-list">
        {rows.map((row, i) => (
          <li key={row.key} className="word-row">
            <input aria-label={`${wordLabel} ${i + 1}`} value={row.word} spellCheck={false} autoComplete="off" onChange={(e) => update(row.key, { word: e.target.value })} />
            <span aria-hidden="true">→</span>
            <select
              aria-label={`State for ${wordLabel.toLowerCase()} ${i + 1}${row.word === '' ? '' : ` (“${row.word}”)`}`}
              value={row.state}
              onChange={(e) => update(row.key, { state: e.target.value as S })}
            >
              {choices.map((choice) => (
                <option key={choice} value={choice}>
                  {choice}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="secondary small-button"
              aria-label={`Remove ${wordLabel.toLowerCase()} ${i + 1}`}
              onClick={() => onChange(rows.filter((other) => other.key !== row.key))}
            >
              Remove
            </button>
            {row.word.trim() !== '' && words.indexOf(row.word.trim()) !== i && <span className="field-error">the same word twice: the last one counts</span>}
          </li>
        ))}
      </ul>
      <div>
        <button type="button" className="secondary small-button" onClick={() => onChange([...rows, wordRow('', newState)])}>
          Add a word
        </button>
      </div>
      {own.length > 0 && <FieldError id={`${id}-error`}>{own.map((issue) => issue.message).join('; ')}</FieldError>}
    </fieldset>
  );
}
