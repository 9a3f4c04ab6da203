<?php

use Illuminate\Support\Str;

return [
    'default' => 'sqlite',

    'connections' => [
        'sqlite' => [
            'driver' => 'sqlite',
            'database' => env('DB_DATABASE', database_path('database.sqlite')),
            'prefix' => '',
            'foreign_key_constraints' => true,
        ],
    ],

    'migrations' => 'migrations',

    'redis' => [
        'client' => 'phpredis',
        'options' => [
            'cluster' => 'redis',
            // Laravel's default: `laravel_database_` for an app named laravel (laravel-echo-server's keyPrefix).
            'prefix' => env('REDIS_PREFIX', Str::slug(env('APP_NAME', 'laravel'), '_').'_database_'),
        ],
        'default' => [
            'host' => env('REDIS_HOST', '127.0.0.1'),
            'port' => env('REDIS_PORT', '6379'),
            'database' => '0',
        ],
    ],
];
