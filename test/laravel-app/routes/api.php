<?php

use App\Http\Controllers\GenerationController;
use Illuminate\Support\Facades\Route;

Route::middleware('auth:api')->get('/generations/{sessionId}', [GenerationController::class, 'show']);
