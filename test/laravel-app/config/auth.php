<?php

return [
    // The test user is authenticated by a bearer token (AppServiceProvider: Auth::viaRequest('bearer')).
    'defaults' => ['guard' => 'api'],
    'guards' => [
        'api' => ['driver' => 'bearer'],
    ],
    'providers' => [],
];
