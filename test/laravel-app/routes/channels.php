<?php

use Illuminate\Support\Facades\Broadcast;

// Echo's `ai.{id}` is `private-ai.{id}` on the wire (PrivateChannel adds the prefix; the broadcaster strips it here).
Broadcast::channel('ai.{sessionId}', function ($user, string $sessionId) {
    return (int) $user->id === 1;
});
