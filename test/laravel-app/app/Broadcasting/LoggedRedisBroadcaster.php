<?php

namespace App\Broadcasting;

use Illuminate\Broadcasting\Broadcasters\RedisBroadcaster;

/**
 * Laravel's RedisBroadcaster, unchanged except that its publish script also appends each broadcast to
 * the list `echoscope:published` (not prefixed) in the same Lua call: one atomic step on Redis, so the
 * list's order is the order in which laravel-echo-server received the messages, whichever worker sent them.
 * Each entry: "<channel> <redis time s> <µs> <pid> <payload JSON>".
 */
class LoggedRedisBroadcaster extends RedisBroadcaster
{
    protected function broadcastMultipleChannelsScript()
    {
        // The publishing worker's pid, written into the script (a different script per worker process).
        $pid = getmypid();

        return <<<LUA
local t = redis.call('time')
for i = 2, #ARGV do
  redis.call('publish', ARGV[i], ARGV[1])
  redis.call('rpush', 'echoscope:published', ARGV[i] .. ' ' .. t[1] .. ' ' .. t[2] .. ' ' .. '{$pid}' .. ' ' .. ARGV[1])
end
LUA;
    }
}
