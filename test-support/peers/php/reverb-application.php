<?php

/*
 * A stand-in for Laravel\Reverb\Application (Reverb is not installable here: no Composer registry),
 * with Reverb 1.10's class name and protected properties in their declared order: what serialize()
 * writes depends on nothing else. Used by publish.php and serialize-application.php.
 */

namespace Laravel\Reverb {
    class Application
    {
        public function __construct(
            protected string $id,
            protected string $key,
            protected string $secret,
            protected int $pingInterval = 60,
            protected int $activityTimeout = 30,
            protected array $allowedOrigins = ['*'],
            protected int $maxMessageSize = 10000,
            protected ?int $maxConnections = null,
            protected string $acceptClientEventsFrom = 'members',
            protected ?array $rateLimiting = null,
            protected array $options = [],
        ) {
        }

        public function id(): string
        {
            return $this->id;
        }
    }
}
