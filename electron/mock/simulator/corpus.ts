/**
 * Built-in text: answers in the register of an AI assistant, so that token streams look like
 * the real thing in the dashboard and in a user's frontend (punctuation, code spans, lists,
 * numbers), not lorem ipsum. Sessions draw sentences in a seeded order.
 */
export const CORPUS_SENTENCES: readonly string[] = [
  'Sure! Here is a short explanation of how queued broadcasting works in Laravel.',
  'When a job implements ShouldBroadcast, the event is pushed onto the queue and a worker sends it to the broadcaster.',
  'Each token of the model’s answer becomes one event on the private channel of the conversation.',
  'The client listens with Echo.private(`ai.${sessionId}`).listen(".chunk.delivered", handler).',
  'To make the stream robust, give every chunk a monotonic sequence number starting at 1.',
  'A terminal event with an explicit state tells the browser that the answer is complete.',
  'If the worker crashes, the queue retries the job and the tokens may be sent a second time.',
  'The client should keep the first chunk of each sequence and ignore duplicates.',
  'Checkpoints every 40 tokens let the server store last_seq and the accumulated text.',
  'On reconnect, the browser can fetch /api/generations/{id} and reconcile what it missed.',
  'Heartbeats every 8 seconds reveal a stalled stream long before the user gives up.',
  'In short: sequence numbers, terminal states, checkpoints and reconciliation.',
  'Let me break this down step by step.',
  'First, install the dependencies with composer require laravel/reverb.',
  'Second, configure BROADCAST_CONNECTION=reverb in your .env file.',
  'Third, start a worker with php artisan queue:work --tries=3 --backoff=5.',
  'The model generated 1,024 tokens in 12.5 seconds, about 82 tokens per second.',
  'Note that max_tokens limits the length of the answer; a truncated answer ends with the code max_tokens.',
  'Tokens rarely align with words: long identifiers such as reconciliation or idempotency are split into pieces.',
  'Here is an example: `const next = buffer.get(expected); if (next) render(next);`.',
  'The reorder buffer holds early chunks until the missing sequence arrives or a timeout expires.',
  'Is there anything else you would like to know about real-time streaming?',
  'Great question — the short answer is yes, but it depends on your deployment.',
  'Horizon shows failed jobs, but it does not show what the browser received.',
  'That is exactly the gap a monitoring tool for broadcasts fills.',
];

/** Sentences in a seeded order, repeated as needed, joined with single spaces. */
export function corpusText(pickIndex: (n: number) => number, minChars: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < minChars) {
    const sentence = CORPUS_SENTENCES[pickIndex(CORPUS_SENTENCES.length)]!;
    parts.push(sentence);
    length += sentence.length + 1;
  }
  return parts.join(' ');
}
