<?php

namespace App\Jobs;

use App\Ai\AiProvider;
use App\Events\AiTokenBroadcast;
use App\Models\AiGeneration;
use Illuminate\Bus\Queueable;
use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Bus\Dispatchable;
use Illuminate\Queue\InteractsWithQueue;
use Illuminate\Queue\SerializesModels;
use Throwable;

/**
 * The seed's queue job, as the article writes it: stream the provider's tokens, broadcast each one
 * (queued) with a sequence that starts at 1 on every attempt, checkpoint the record every 40 tokens,
 * end with a terminal event numbered after the last token; on an exception broadcast `errored` and
 * rethrow so the queue retries; `failed()` marks the record `orphaned` once the queue gives up.
 *
 * Changed from the seed only where it does not run:
 * - `public int $backoff = [15, 45];` is a fatal error (an int property cannot default to an array):
 *   an untyped property here. The plan may shorten tries and backoff for tests.
 */
class ProcessAiCompletion implements ShouldQueue
{
    use Dispatchable, InteractsWithQueue, Queueable, SerializesModels;

    public const CHECKPOINT_EVERY = 40;

    public $tries = 3;

    public $backoff = [15, 45];

    public $timeout = 120;

    public function __construct(public string $sessionId, public array $plan)
    {
        $this->tries = $plan['tries'] ?? $this->tries;
        $this->backoff = $plan['backoff'] ?? $this->backoff;
    }

    public function handle(AiProvider $provider)
    {
        $generation = AiGeneration::firstOrCreate(
            ['session_id' => $this->sessionId],
            ['progress' => 'queued', 'initiated_at' => now()],
        );
        $generation->update(['progress' => 'active']);

        $sequence = 0;
        $text = '';
        $stopReason = null;

        try {
            foreach ($provider->stream($this->plan + ['session_id' => $this->sessionId], $this->attempts()) as $event) {
                if ($event['type'] === 'content_block_delta' && ($event['delta']['type'] ?? null) === 'text_delta') {
                    $chunk = $event['delta']['text'];
                    $sequence++;
                    $text .= $chunk;
                    broadcast(new AiTokenBroadcast($this->sessionId, $chunk, $sequence, 'generating', null, $this->now()));

                    if ($sequence % self::CHECKPOINT_EVERY === 0) {
                        $generation->update(['last_seq' => $sequence, 'accumulated_text' => $text, 'last_save_at' => now()]);
                    }
                } elseif ($event['type'] === 'message_delta') {
                    // Anthropic puts the stop reason in message_delta; message_stop carries none.
                    $stopReason = $event['delta']['stop_reason'] ?? $stopReason;
                }
            }

            $state = $stopReason === 'max_tokens' ? 'truncated' : 'completed';
            broadcast(new AiTokenBroadcast($this->sessionId, '', $sequence + 1, $state, $stopReason, $this->now()));
            $generation->update([
                'progress' => $state, 'last_seq' => $sequence, 'accumulated_text' => $text, 'final_text' => $text,
                'termination_code' => $stopReason, 'last_save_at' => now(), 'resolved_at' => now(),
            ]);
        } catch (Throwable $e) {
            broadcast(new AiTokenBroadcast($this->sessionId, '', $sequence + 1, 'errored', 'exception', $this->now()));
            $generation->update([
                'progress' => 'failed', 'last_seq' => $sequence, 'accumulated_text' => $text,
                'termination_code' => 'exception', 'failure_detail' => $e->getMessage(), 'last_save_at' => now(),
            ]);

            throw $e;
        }
    }

    /** Not in the seed: a plan's `broadcast_now` publishes each event from this job (ShouldBroadcastNow's way). */
    private function now(): bool
    {
        return (bool) ($this->plan['broadcast_now'] ?? false);
    }

    /** The queue gave up (tries exhausted, or a worker died on the last attempt): the seed marks the record orphaned. */
    public function failed(Throwable $e)
    {
        AiGeneration::where('session_id', $this->sessionId)->update([
            'progress' => 'orphaned', 'failure_detail' => $e->getMessage(), 'resolved_at' => now(),
        ]);
    }
}
