<?php

namespace App\Ai;

/** The provider's `error` event mid-stream (e.g. overloaded_error), as an SDK raises it. */
class ProviderError extends \RuntimeException
{
}
