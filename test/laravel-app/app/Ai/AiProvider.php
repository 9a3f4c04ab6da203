<?php

namespace App\Ai;

interface AiProvider
{
    /**
     * The provider's streaming events, decoded (one array per server-sent event), for one attempt.
     *
     * @return iterable<array<string, mixed>>
     */
    public function stream(array $session, int $attempt): iterable;
}
