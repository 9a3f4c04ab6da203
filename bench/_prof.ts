import { Analyzer } from '../shared/analysis';
import { builtinContract } from '../shared/contract';
const SESSIONS = 1000, EVENTS = 1_000_000, T0 = 1732262400000;
const WORDS = [' the', ' model', ' streams', ' tokens', ' to', ' a', ' browser', ',', ' and', ' it', ' works', '.'];
function laravelAiLine(i: number): string {
  const session = i % SESSIONS; const n = Math.floor(i / SESSIONS) + 1; const terminal = n === EVENTS / SESSIONS; const at = T0 + i * 0.05;
  const id = `019ade${i.toString(16).padStart(8, '0')}-7000-8000-${session.toString(16).padStart(12, '0')}`;
  const base = { id, invocation_id: `019ade00-0000-7000-8000-${session.toString(16).padStart(12, '0')}`, type: terminal ? 'stream_end' : 'text_delta', timestamp: Math.floor(at / 1000) };
  const data = terminal ? { ...base, reason: 'stop', usage: { prompt_tokens: 12, completion_tokens: 999 } } : { ...base, message_id: `msg-${session}`, delta: WORDS[(i * 7) % WORDS.length] };
  return JSON.stringify({ type: 'frame', at, connection: 'c1', channel: `private-chat.gen-${session}`, event: base.type, data });
}
const a = new Analyzer({ profile: builtinContract('laravel-ai')! });
const recs: any[] = [];
for (let i = 0; i < EVENTS; i++) recs.push(JSON.parse(laravelAiLine(i)));
const t = performance.now();
for (const r of recs) a.ingest(r);
console.log('ingest ms', performance.now() - t);
