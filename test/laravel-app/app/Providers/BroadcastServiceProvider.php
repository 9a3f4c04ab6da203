<?php

namespace App\Providers;

use Illuminate\Support\Facades\Broadcast;
use Illuminate\Support\ServiceProvider;

class BroadcastServiceProvider extends ServiceProvider
{
    public function boot()
    {
        // POST /broadcasting/auth, for the bearer-token user (laravel-echo-server forwards the client's headers).
        Broadcast::routes(['middleware' => ['api', 'auth:api']]);

        require base_path('routes/channels.php');
    }
}
