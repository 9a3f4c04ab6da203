<?php

namespace App\Ai;

use Illuminate\Support\Facades\Redis;

/**
 * A deterministic stand-in for Anthropic's Messages API with `stream: true`, yielding its event
 * shapes in its order: message_start, content_block_start, ping, content_block_delta
 * (delta.type = text_delta, delta.text) …, content_block_stop, message_delta (delta.stop_reason,
 * delta.stop_sequence, usage.output_tokens), message_stop. The stop reason is in message_delta;
 * message_stop carries nothing.
 *
 * The session's plan decides the text (token i is always the same word, so a retry streams the same
 * text), the stop reason, the pace and the faults of each attempt:
 *   {"kind": "exception", "attempt": 1, "after": 20}  the provider fails mid-stream (an `error` event, overloaded_error)
 *   {"kind": "sigkill",   "attempt": 1, "after": 30}  the worker process is killed (SIGKILL) mid-stream: OOM, deploy
 *   {"kind": "stall",     "attempt": 1, "after": 10, "ms": 9000}  the provider goes silent, then resumes
 *   {"kind": "hold",      "attempt": 1, "after": 10, "ms": 20000} silent until the test sets the Redis key
 *        `echoscope:release:{session_id}` (at most `ms`): a silence that ends on a signal, not a clock
 * A fault without "attempt" applies to every attempt.
 */
class FakeAnthropicStream implements AiProvider
{
    private const WORDS = ['The', 'queue', 'worker', 'streams', 'each', 'token', 'to', 'the', 'browser', 'as', 'a', 'broadcast', 'event', 'and', 'the', 'client', 'joins', 'them', 'in', 'order.'];

    public static function token(int $index): string
    {
        return self::WORDS[($index - 1) % count(self::WORDS)].' ';
    }

    public function stream(array $session, int $attempt): iterable
    {
        $tokens = (int) ($session['tokens'] ?? 20);
        $stopReason = $session['stop_reason'] ?? 'end_turn';
        $tokenMs = (int) ($session['token_ms'] ?? 15);
        $faults = array_values(array_filter($session['faults'] ?? [], fn ($f) => ! isset($f['attempt']) || (int) $f['attempt'] === $attempt));

        yield ['type' => 'message_start', 'message' => [
            'id' => 'msg_fake_'.$session['session_id'], 'type' => 'message', 'role' => 'assistant', 'content' => [],
            'model' => 'claude-fake', 'stop_reason' => null, 'stop_sequence' => null,
            'usage' => ['input_tokens' => 12, 'output_tokens' => 1],
        ]];
        yield ['type' => 'content_block_start', 'index' => 0, 'content_block' => ['type' => 'text', 'text' => '']];
        yield ['type' => 'ping'];

        for ($i = 1; $i <= $tokens; $i++) {
            foreach ($faults as $fault) {
                if ((int) $fault['after'] !== $i - 1) {
                    continue;
                }
                switch ($fault['kind']) {
                    case 'exception':
                        throw new ProviderError('overloaded_error: Overloaded (fake provider, attempt '.$attempt.')');
                    case 'sigkill':
                        // What an OOM kill or a deploy does to the worker: no exception, no finally, no failed() here.
                        posix_kill(getmypid(), SIGKILL);
                        break;
                    case 'stall':
                        usleep((int) $fault['ms'] * 1000);
                        break;
                    case 'hold':
                        $until = microtime(true) + (int) $fault['ms'] / 1000;
                        while (! Redis::connection()->exists('echoscope:release:'.$session['session_id']) && microtime(true) < $until) {
                            usleep(20_000);
                        }
                        break;
                }
            }
            if ($tokenMs > 0) {
                usleep($tokenMs * 1000);
            }
            yield ['type' => 'content_block_delta', 'index' => 0, 'delta' => ['type' => 'text_delta', 'text' => self::token($i)]];
        }

        yield ['type' => 'content_block_stop', 'index' => 0];
        yield ['type' => 'message_delta', 'delta' => [
            'stop_reason' => $stopReason,
            'stop_sequence' => $stopReason === 'stop_sequence' ? ($session['stop_sequence'] ?? '###') : null,
        ], 'usage' => ['output_tokens' => $tokens]];
        yield ['type' => 'message_stop'];
    }
}
