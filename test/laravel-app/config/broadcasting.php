<?php

return [
    'default' => env('BROADCAST_DRIVER', 'redis'),

    // The queue of broadcast jobs (null: the default queue, as in the seed). Not a Laravel setting:
    // App\Events\AiTokenBroadcast::broadcastQueue() reads it.
    'queue' => env('AI_BROADCAST_QUEUE'),

    'connections' => [
        // Laravel's redis broadcaster, publishing to laravel-echo-server's Redis. `logged-redis` is the same
        // broadcaster whose publish script also appends each broadcast to a list, atomically and in publish
        // order (the fixture's ground truth; App\Broadcasting\LoggedRedisBroadcaster).
        'redis' => ['driver' => 'logged-redis', 'connection' => 'default'],
        'log' => ['driver' => 'log'],
        'null' => ['driver' => 'null'],
    ],
];
