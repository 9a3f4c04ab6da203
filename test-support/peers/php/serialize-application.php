<?php

/*
 * What PHP makes of a Reverb scaling message, for the mock's writer test (electron/mock/scaling-format.test.ts).
 * Reads {"app": {id, key, secret, pingInterval, activityTimeout, maxMessageSize, maxConnections}, "message": "<JSON text>"}
 * on stdin and prints {"serialized": serialize() of that Application, "decoded": what Reverb's
 * PusherPubSubIncomingMessageHandler reads of the message: json_decode, then unserialize() of
 * `application` allowing only the Application class, its id(), and the payload and socket_id}.
 */

require_once __DIR__.'/reverb-application.php';

use Laravel\Reverb\Application;

$input = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
$a = $input['app'];
$app = new Application($a['id'], $a['key'], $a['secret'], $a['pingInterval'], $a['activityTimeout'], ['*'], $a['maxMessageSize'], $a['maxConnections']);

$event = json_decode($input['message'], associative: true, flags: JSON_THROW_ON_ERROR);
$application = unserialize($event['application'], ['allowed_classes' => [Application::class]]);

echo json_encode([
    'serialized' => serialize($app),
    'decoded' => [
        'type' => $event['type'],
        'class' => is_object($application) ? get_class($application) : null,
        'id' => $application instanceof Application ? $application->id() : null,
        'equal' => $application == $app,
        'payload' => $event['payload'],
        'socket_id' => $event['socket_id'] ?? null,
    ],
]);
