<?php

namespace App\Console\Commands;

use App\Jobs\ProcessAiCompletion;
use App\Models\AiGeneration;
use Illuminate\Console\Command;

/**
 * Dispatches a plan of AI jobs: {"sessions": [{"session_id", "tokens", "stop_reason", "token_ms",
 * "tries", "backoff", "faults": [...]}]} (faults: App\Ai\FakeAnthropicStream). Each session gets its
 * `queued` record first, as the seed's controller does before dispatching.
 */
class DispatchPlan extends Command
{
    protected $signature = 'ai:dispatch-plan {plan : path of the JSON plan}';

    protected $description = 'Dispatch ProcessAiCompletion jobs from a JSON plan';

    public function handle()
    {
        $plan = json_decode(file_get_contents($this->argument('plan')), true, 512, JSON_THROW_ON_ERROR);
        foreach ($plan['sessions'] as $session) {
            AiGeneration::updateOrCreate(['session_id' => $session['session_id']], ['progress' => 'queued', 'initiated_at' => now()]);
            ProcessAiCompletion::dispatch($session['session_id'], $session);
            $this->line('dispatched '.$session['session_id']);
        }

        return 0;
    }
}
