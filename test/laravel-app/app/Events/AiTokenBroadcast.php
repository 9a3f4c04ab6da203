<?php

namespace App\Events;

use Illuminate\Broadcasting\InteractsWithSockets;
use Illuminate\Broadcasting\PrivateChannel;
use Illuminate\Contracts\Broadcasting\ShouldBroadcast;
use Illuminate\Foundation\Events\Dispatchable;
use Illuminate\Queue\SerializesModels;

/**
 * The seed's token event. ShouldBroadcast (not ShouldBroadcastNow): each token is a queued
 * BroadcastEvent job, handled by whichever queue worker is free — so with several workers two
 * neighbouring tokens, or the last token and the terminal event, can be published in either order.
 */
class AiTokenBroadcast implements ShouldBroadcast
{
    use Dispatchable, InteractsWithSockets, SerializesModels;

    public function __construct(
        public string $sessionId,
        public string $chunk,
        public int $sequence,
        public string $state,
        public ?string $terminationCode = null,
        public bool $broadcastNow = false,
    ) {
    }

    /**
     * Not in the seed (which is queued, on the default queue): the two fixes the suite compares it with.
     * `broadcast_now` in a plan publishes from the job itself (as ShouldBroadcastNow does);
     * `AI_BROADCAST_QUEUE` sends the broadcast jobs to their own queue (one worker keeps their order).
     */
    public function shouldBroadcastNow()
    {
        return $this->broadcastNow;
    }

    public function broadcastQueue()
    {
        return config('broadcasting.queue');
    }

    public function broadcastOn()
    {
        return new PrivateChannel('ai.'.$this->sessionId);
    }

    public function broadcastAs()
    {
        return 'chunk.delivered';
    }

    public function broadcastWith()
    {
        return [
            'session_id' => $this->sessionId,
            'chunk' => $this->chunk,
            'sequence' => $this->sequence,
            'state' => $this->state,
            'termination_code' => $this->terminationCode,
        ];
    }
}
