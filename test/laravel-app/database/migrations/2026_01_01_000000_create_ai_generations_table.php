<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

class CreateAiGenerationsTable extends Migration
{
    public function up()
    {
        Schema::create('ai_generations', function (Blueprint $table) {
            $table->id();
            $table->string('session_id')->unique();
            $table->string('progress')->default('queued');
            $table->unsignedInteger('last_seq')->default(0);
            $table->text('accumulated_text')->default('');
            $table->text('final_text')->nullable();
            $table->string('termination_code')->nullable();
            $table->text('failure_detail')->nullable();
            $table->timestamp('initiated_at')->nullable();
            $table->timestamp('last_save_at')->nullable();
            $table->timestamp('resolved_at')->nullable();
            $table->timestamps();
        });
    }

    public function down()
    {
        Schema::dropIfExists('ai_generations');
    }
}
