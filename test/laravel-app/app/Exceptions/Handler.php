<?php

namespace App\Exceptions;

use Illuminate\Foundation\Exceptions\Handler as ExceptionHandler;

class Handler extends ExceptionHandler
{
    protected $dontFlash = ['password'];

    /** An API-only app: every error is JSON (there are no views to render). */
    protected function shouldReturnJson($request, \Throwable $e)
    {
        return true;
    }
}
