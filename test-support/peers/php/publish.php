<?php

/*
 * Publishes broadcasts to Redis the way the server side does, for the tap tests
 * (test-support/peers/php-publisher.ts). Reads one JSON document on stdin:
 *   {"host", "port", "prefix", "laravel": [{"channels": [...], "event", "payload": {...}}],
 *    "reverb": {"channel", "messages": [{"app": {"id", "key", "secret"}, "type", "payload", "socket_id"?}]}}
 *
 * - "laravel": Laravel's own RedisBroadcaster (Debian's php-laravel-framework, on PHP's include
 *   path) over phpredis, with the app's key prefix: the real broadcaster, not a copy of it.
 * - "reverb": Reverb is not installable here (no Composer registry), so its envelope is built as
 *   Reverb's EventDispatcher::dispatch builds it — json_encode of type, application (PHP's
 *   serialize() of an object of class Laravel\Reverb\Application, declared in reverb-application.php
 *   with the protected properties Reverb 1.10 declares) and payload, plus socket_id when set — and published with phpredis.
 */

namespace {
    require_once __DIR__.'/reverb-application.php';
    set_include_path(get_include_path().PATH_SEPARATOR.'/usr/share/php');
    require_once 'Illuminate/autoload.php';

    use Illuminate\Broadcasting\Broadcasters\RedisBroadcaster;
    use Illuminate\Redis\RedisManager;

    $plan = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);

    if (! empty($plan['laravel'])) {
        $prefix = $plan['prefix'] ?? '';
        $redis = new RedisManager(null, 'phpredis', [
            'options' => ['prefix' => $prefix],
            'default' => ['host' => $plan['host'], 'port' => $plan['port'], 'database' => 0],
        ]);
        // As BroadcastManager::createRedisDriver does: the connection's key prefix is the broadcaster's too.
        $broadcaster = new RedisBroadcaster($redis, null, $prefix);
        foreach ($plan['laravel'] as $broadcast) {
            $broadcaster->broadcast($broadcast['channels'], $broadcast['event'], $broadcast['payload']);
        }
    }

    if (! empty($plan['reverb'])) {
        $client = new \Redis();
        $client->connect($plan['host'], $plan['port']);
        foreach ($plan['reverb']['messages'] as $message) {
            $app = new \Laravel\Reverb\Application($message['app']['id'], $message['app']['key'], $message['app']['secret']);
            $data = ['type' => $message['type'] ?? 'message', 'application' => serialize($app), 'payload' => $message['payload']];
            if (isset($message['socket_id'])) {
                $data['socket_id'] = $message['socket_id'];
            }
            $client->publish($plan['reverb']['channel'], json_encode($data));
        }
    }
    echo "published\n";
}
