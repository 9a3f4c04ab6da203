<?php
// Test support (not product): reads .env texts as a Laravel app does — Debian's vlucas/phpdotenv
// (the steps of Dotenv::create(...)->safeLoad()), then
// Illuminate\Support\Env::get's conversions and Str::slug(APP_NAME, '_') of config/database.php's
// Redis prefix — and prints what it saw. Nothing outside the file is read (an array repository).
//
// stdin: a JSON array of file texts. stdout: a JSON array, one per text, of
// {"variables": {NAME: value|null}, "env": {NAME: env(NAME)}, "slug": "..."} or {"error": "..."}.
require '/usr/share/php/Dotenv/autoload.php';
require '/usr/share/php/Illuminate/Support/autoload.php';

use Dotenv\Loader\Loader;
use Dotenv\Parser\Parser;
use Dotenv\Repository\Adapter\ArrayAdapter;
use Dotenv\Repository\RepositoryBuilder;
use Dotenv\Util\Str as DotenvStr;
use Illuminate\Support\Str;

function readAsLaravel(string $content): array
{
    // What Dotenv::create(...)->safeLoad() does, as Illuminate's LoadEnvironmentVariables calls it:
    // the file store's UTF-8 reading (a BOM dropped), the parser, the loader on an immutable repository.
    // The names come from the parsed entries: the loader's own list renumbers names such as "11".
    $repository = RepositoryBuilder::createWithNoAdapters()->addAdapter(ArrayAdapter::class)->immutable()->make();
    try {
        $entries = (new Parser())->parse(DotenvStr::utf8($content)->success()->get());
    } catch (\Dotenv\Exception\InvalidFileException $e) {
        return ['error' => $e->getMessage()];
    }
    (new Loader())->load($repository, $entries);
    $variables = [];
    foreach ($entries as $entry) {
        $variables[$entry->getName()] = $repository->get($entry->getName());
    }
    $env = [];
    foreach ($variables as $name => $value) {
        $read = $repository->get($name);
        if ($read === null) {
            $env[$name] = null;
            continue;
        }
        switch (strtolower($read)) {
            case 'true': case '(true)': $env[$name] = true; continue 2;
            case 'false': case '(false)': $env[$name] = false; continue 2;
            case 'empty': case '(empty)': $env[$name] = ''; continue 2;
            case 'null': case '(null)': $env[$name] = null; continue 2;
        }
        $env[$name] = preg_match('/\A([\'"])(.*)\1\z/', $read, $m) ? $m[2] : $read;
    }
    return ['variables' => (object) $variables, 'env' => (object) $env, 'slug' => Str::slug(array_key_exists('APP_NAME', $env) ? (string) $env['APP_NAME'] : 'laravel', '_')];
}

$texts = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
echo json_encode(array_map('readAsLaravel', $texts), JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
