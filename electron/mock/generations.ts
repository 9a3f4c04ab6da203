/**
 * Generation records as the app's `GET /api/generations/{sessionId}` returns them (DESIGN §7):
 * the checkpointed state of one AI generation. The simulator fills the store; the HTTP
 * endpoint reads it.
 */
export interface GenerationRecord {
  session_id: string;
  /**
   * The job's lifecycle as the simulator writes it: `queued → active → completed | truncated |
   * failed | orphaned` (any string a real app's record holds is served as-is).
   */
  progress: string;
  /** Highest sequence saved at the last checkpoint. */
  last_seq: number;
  accumulated_text: string;
  final_text: string | null;
  termination_code: string | null;
  failure_detail: string | null;
  /** ISO-8601 timestamps, as a Laravel model serializes them. */
  initiated_at: string | null;
  last_save_at: string | null;
  resolved_at: string | null;
}

export class GenerationStore {
  private readonly records = new Map<string, GenerationRecord>();

  put(record: GenerationRecord): void {
    this.records.set(record.session_id, { ...record });
  }

  /** Merges fields into an existing record; returns false when the session is unknown. */
  update(sessionId: string, patch: Partial<Omit<GenerationRecord, 'session_id'>>): boolean {
    const existing = this.records.get(sessionId);
    if (!existing) return false;
    this.records.set(sessionId, { ...existing, ...patch, session_id: sessionId });
    return true;
  }

  get(sessionId: string): GenerationRecord | undefined {
    const record = this.records.get(sessionId);
    return record ? { ...record } : undefined;
  }

  delete(sessionId: string): boolean {
    return this.records.delete(sessionId);
  }

  list(): GenerationRecord[] {
    return [...this.records.values()].map((record) => ({ ...record }));
  }

  clear(): void {
    this.records.clear();
  }

  get size(): number {
    return this.records.size;
  }
}
