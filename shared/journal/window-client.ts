import type { BatchTag } from './batch-order';
import { capturedBatchOf, type CapturedBatch } from './captured';
import { importInBatches, type Journal, type PruneResult, type RetentionPolicy } from './journal';
import type { JournalQuery } from './query';
import type { JournalRecord } from './records';
import type { JournalChannelSummary, JournalSessionSummary, JournalStats } from './summaries';
import {
  JournalWindowMessageSchema,
  JournalWindowValueSchemas,
  type JournalWindowMessage,
  type JournalWindowOp,
  type JournalWindowRequest,
  type JournalWindowValue,
} from './window-protocol';

/** The two things the client needs from a port (MessagePortMain, a DOM MessagePort, a Node one). */
export interface JournalPort {
  post(request: JournalWindowRequest): void;
  /** Registers the one message listener; returns its unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
}

/** A request the journal window refused or failed, as data turned back into an error on this side. */
export class JournalWindowError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'JournalWindowError';
  }
}

interface Pending {
  op: JournalWindowOp;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onChunk?: (text: string) => void;
}

type Body<Op extends JournalWindowOp> = Omit<Extract<JournalWindowRequest, { op: Op }>, 'id' | 'op'>;

/** Main's side: the {@link Journal} interface over the journal window's port. */
export class JournalWindowClient implements Journal {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly unsubscribe: () => void;
  readonly ready: Promise<void>;

  constructor(private readonly port: JournalPort) {
    let settle: { resolve(): void; reject(error: Error): void } | undefined;
    this.ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.unsubscribe = port.onMessage((raw) => {
      const parsed = JournalWindowMessageSchema.safeParse(raw);
      if (!parsed.success) return; // not ours: nothing else speaks on this port
      this.receive(parsed.data, settle!);
    });
  }

  append(records: readonly JournalRecord[]): Promise<void> {
    return this.appendCaptured(capturedBatchOf(records));
  }

  appendCaptured(batch: CapturedBatch, tag?: BatchTag): Promise<void> {
    return this.request('append', tag === undefined ? { batch } : { batch, tag }).then(() => undefined);
  }

  query(query: JournalQuery = {}): Promise<JournalRecord[]> {
    return this.request('query', { query });
  }

  count(): Promise<number> {
    return this.request('count', {});
  }

  stats(): Promise<JournalStats> {
    return this.request('stats', {});
  }

  channels(): Promise<JournalChannelSummary[]> {
    return this.request('channels', {});
  }

  sessions(): Promise<JournalSessionSummary[]> {
    return this.request('sessions', {});
  }

  prune(policy: RetentionPolicy, nowMs: number): Promise<PruneResult> {
    return this.request('prune', { policy, nowMs });
  }

  import(records: Iterable<JournalRecord>): Promise<number> {
    // Several messages rather than one huge structured clone.
    return importInBatches(records, (batch) => this.request('import', { records: batch }));
  }

  /**
   * The journal window's export, piece by piece. It sends EXPORT_WINDOW pieces ahead; each piece
   * this generator hands on lets one more come (`exportPull`), so at most that many wait here
   * however slowly the caller reads. A caller that stops early cancels the export.
   */
  async *exportNdjson(createdAt: string, query?: JournalQuery): AsyncIterable<string> {
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: Error | undefined;
    const { id, done } = this.start('export', query === undefined ? { createdAt } : { createdAt, query }, (text) => {
      queue.push(text);
      wake?.();
    });
    done.then(
      () => {
        finished = true;
        wake?.();
      },
      (error: Error) => {
        failure = error;
        wake?.();
      },
    );
    try {
      for (;;) {
        const text = queue.shift();
        if (text !== undefined) {
          this.port.post({ id: this.nextId++, op: 'exportPull', export: id });
          yield text;
          continue;
        }
        if (failure) throw failure;
        if (finished) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      // Ended early (the reader stopped or failed): the window stops reading; its answer is not awaited.
      if (!finished && failure === undefined && this.pending.has(id)) this.port.post({ id: this.nextId++, op: 'exportCancel', export: id });
    }
  }

  close(): Promise<void> {
    this.unsubscribe();
    for (const pending of this.pending.values()) pending.reject(new JournalWindowError('closed', 'the journal window client was closed'));
    this.pending.clear();
    return Promise.resolve();
  }

  private request<Op extends JournalWindowOp>(op: Op, body: Body<Op>, onChunk?: (text: string) => void): Promise<JournalWindowValue<Op>> {
    return this.start(op, body, onChunk).done;
  }

  private start<Op extends JournalWindowOp>(op: Op, body: Body<Op>, onChunk?: (text: string) => void): { id: number; done: Promise<JournalWindowValue<Op>> } {
    const id = this.nextId++;
    const done = new Promise<JournalWindowValue<Op>>((resolve, reject) => {
      this.pending.set(id, { op, resolve: resolve as (value: unknown) => void, reject, ...(onChunk ? { onChunk } : {}) });
      this.port.post({ id, op, ...body } as JournalWindowRequest);
    });
    return { id, done };
  }

  private receive(message: JournalWindowMessage, ready: { resolve(): void; reject(error: Error): void }): void {
    if (message.kind === 'ready') {
      if (message.error) ready.reject(new JournalWindowError(message.error.code, message.error.message));
      else ready.resolve();
      return;
    }
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    if (message.kind === 'chunk') {
      pending.onChunk?.(message.text);
      return;
    }
    this.pending.delete(message.id);
    if (!message.result.ok) {
      pending.reject(new JournalWindowError(message.result.error.code, message.result.error.message));
      return;
    }
    const value = JournalWindowValueSchemas[pending.op].safeParse(message.result.value);
    if (value.success) pending.resolve(value.data);
    else pending.reject(new JournalWindowError('invalid_response', `journal window answered ${pending.op} with an unexpected value`));
  }
}
