<?php

/*
 * No Composer here: Debian's php-laravel-framework installs the framework on PHP's include path
 * (/usr/share/php) with its own autoloaders (Illuminate/autoload.php requires every component's
 * and their dependencies'). The application's own classes (App\) are mapped below, PSR-4 style.
 */
set_include_path(get_include_path().PATH_SEPARATOR.'/usr/share/php');

require_once 'Illuminate/autoload.php';

spl_autoload_register(function (string $class): void {
    if (strncmp($class, 'App\\', 4) !== 0) {
        return;
    }
    $file = __DIR__.'/../app/'.str_replace('\\', '/', substr($class, 4)).'.php';
    if (is_file($file)) {
        require $file;
    }
});
