<?php

namespace App\Models;

use Illuminate\Database\Eloquent\Model;

class AiGeneration extends Model
{
    protected $guarded = [];

    protected $casts = [
        'last_seq' => 'integer',
        'initiated_at' => 'datetime',
        'last_save_at' => 'datetime',
        'resolved_at' => 'datetime',
    ];
}
