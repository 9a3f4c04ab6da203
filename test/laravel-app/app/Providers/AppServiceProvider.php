<?php

namespace App\Providers;

use App\Ai\AiProvider;
use App\Ai\FakeAnthropicStream;
use App\Broadcasting\LoggedRedisBroadcaster;
use App\Jobs\ProcessAiCompletion;
use Illuminate\Auth\GenericUser;
use Illuminate\Broadcasting\BroadcastManager;
use Illuminate\Contracts\Queue\Job;
use Illuminate\Http\Request;
use Illuminate\Queue\Events\JobExceptionOccurred;
use Illuminate\Queue\Events\JobFailed;
use Illuminate\Queue\Events\JobProcessed;
use Illuminate\Queue\Events\JobProcessing;
use Illuminate\Support\Facades\Auth;
use Illuminate\Support\Facades\Event;
use Illuminate\Support\ServiceProvider;

class AppServiceProvider extends ServiceProvider
{
    public function register()
    {
        // The only part of the seed replaced: the AI provider's stream (deterministic, Anthropic's event shapes).
        $this->app->bind(AiProvider::class, FakeAnthropicStream::class);
    }

    public function boot()
    {
        // The test user: whoever presents the QA bearer token.
        Auth::viaRequest('bearer', function (Request $request) {
            $token = env('QA_TOKEN', 'qa-token');

            return hash_equals('Bearer '.$token, (string) $request->header('Authorization'))
                ? new GenericUser(['id' => 1, 'name' => 'QA'])
                : null;
        });

        $this->app->make(BroadcastManager::class)->extend('logged-redis', function ($app, array $config) {
            return new LoggedRedisBroadcaster(
                $app->make('redis'), $config['connection'] ?? null,
                $app['config']->get('database.redis.options.prefix', '')
            );
        });

        $this->logQueueEvents();
    }

    /**
     * The queue's own account of each AI job: every attempt's start, end, exception and the final failure,
     * one JSON line each (pid, attempt, session) in QUEUE_EVENTS_LOG. Ground truth for the tests.
     */
    private function logQueueEvents(): void
    {
        $file = env('QUEUE_EVENTS_LOG');
        if (! $file) {
            return;
        }
        $write = function (string $kind, Job $job, ?\Throwable $e = null) use ($file) {
            $payload = $job->payload();
            if (($payload['displayName'] ?? null) !== ProcessAiCompletion::class) {
                return;
            }
            $command = @unserialize($payload['data']['command'] ?? '');
            file_put_contents($file, json_encode([
                'event' => $kind,
                'session_id' => $command instanceof ProcessAiCompletion ? $command->sessionId : null,
                'attempt' => $job->attempts(),
                'job_id' => $job->getJobId(),
                'pid' => getmypid(),
                'at' => microtime(true) * 1000,
                'exception' => $e ? get_class($e).': '.$e->getMessage() : null,
            ])."\n", FILE_APPEND | LOCK_EX);
        };
        Event::listen(JobProcessing::class, fn (JobProcessing $e) => $write('processing', $e->job));
        Event::listen(JobProcessed::class, fn (JobProcessed $e) => $write('processed', $e->job));
        Event::listen(JobExceptionOccurred::class, fn (JobExceptionOccurred $e) => $write('exception', $e->job, $e->exception));
        Event::listen(JobFailed::class, fn (JobFailed $e) => $write('failed', $e->job, $e->exception));
    }
}
