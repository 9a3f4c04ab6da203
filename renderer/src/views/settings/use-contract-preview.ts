import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppApi, ContractPreview } from '../../../../shared/api';

/** How long the form waits after the last keystroke before asking for a preview. */
export const PREVIEW_DEBOUNCE_MS = 300;

export type ValidPreview = Extract<ContractPreview, { valid: true }>;

/** `lastValid`: the preview of the last draft that could work, shown dimmed while the draft cannot. */
export type PreviewState =
  | { phase: 'waiting' }
  | { phase: 'ready'; preview: ContractPreview; loading: boolean; lastValid: ValidPreview | null }
  | { phase: 'failed'; message: string; preview: ContractPreview | null; lastValid: ValidPreview | null };

/**
 * The host's preview of a draft (`contracts.preview`), asked again `PREVIEW_DEBOUNCE_MS` after
 * the draft last changed and on `refresh()`. An answer to an older draft that arrives late is
 * dropped. `draftJson`: the draft profile as JSON text (`null`: automatic detection).
 */
export function useContractPreview(api: AppApi, draftJson: string): { state: PreviewState; refresh(): void } {
  const [state, setState] = useState<PreviewState>({ phase: 'waiting' });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const ask = ++latest.current;
    setState((previous) => (previous.phase === 'ready' ? { ...previous, loading: true } : previous));
    const timer = setTimeout(() => {
      void api.invoke('contracts.preview', { profile: JSON.parse(draftJson) as unknown }).then((result) => {
        if (ask !== latest.current) return;
        setState((previous) => {
          const lastValid = previous.phase === 'waiting' ? null : previous.lastValid;
          if (!result.ok) return { phase: 'failed', message: result.error.message, preview: previous.phase === 'waiting' ? null : previous.preview, lastValid };
          return { phase: 'ready', preview: result.value, loading: false, lastValid: result.value.valid ? result.value : lastValid };
        });
      });
    }, PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [api, draftJson, round]);
  const refresh = useCallback(() => setRound((n) => n + 1), []);
  return { state, refresh };
}
