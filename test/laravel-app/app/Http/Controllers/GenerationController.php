<?php

namespace App\Http\Controllers;

use App\Models\AiGeneration;
use Illuminate\Routing\Controller;

class GenerationController extends Controller
{
    /** The generation record, wrapped as a Laravel API resource is (`{"data": …}`). */
    public function show(string $sessionId)
    {
        $generation = AiGeneration::where('session_id', $sessionId)->firstOrFail();

        return response()->json(['data' => $generation->only([
            'session_id', 'progress', 'last_seq', 'accumulated_text', 'final_text', 'termination_code',
            'failure_detail', 'initiated_at', 'last_save_at', 'resolved_at',
        ])]);
    }
}
