import {
  AppError,
  ProfileInputSchema,
  redactProfile,
  type AppInfo,
  type ConnectionStatus,
  type Result,
} from '../../../shared/api';
import type { JournalRecord } from '../../../shared/journal';
import { preciseNow, type Clock } from '../clock';
import { ConnectionHub } from '../hub';
import { dispatch, type CommandHandlers } from './dispatch';
import { FrameTail } from './frame-tail';
import { MemoryProfileStore, type ProfileStore } from './profile-store';
import { PushBatcher, type PushBatcherOptions, type PushSend } from './push-batcher';

export interface AppServiceOptions {
  transport: AppInfo['transport'];
  version: string;
  demo?: AppInfo['demo'];
  profiles?: ProfileStore;
  clock?: Clock;
}

/**
 * The Node side of the App API: one implementation behind both transports
 * (Electron IPC router, WebSocket bridge). Transports call `invoke` and attach
 * push targets; nothing else crosses the boundary.
 */
export class AppService {
  readonly hub: ConnectionHub;
  private readonly profiles: ProfileStore;
  private readonly tail = new FrameTail();
  private readonly targets = new Set<PushBatcher>();
  private readonly recordListeners = new Set<(record: JournalRecord) => void>();
  private readonly handlers: CommandHandlers;

  constructor(private readonly options: AppServiceOptions) {
    this.profiles = options.profiles ?? new MemoryProfileStore();
    this.hub = new ConnectionHub(
      {
        record: (record) => this.onRecord(record),
        status: (status) => this.onStatus(status),
      },
      options.clock ?? preciseNow,
    );
    this.handlers = this.buildHandlers();
  }

  invoke(command: unknown, request: unknown): Promise<Result<unknown>> {
    return dispatch(this.handlers, command, request);
  }

  /** A window or bridge client that receives batched pushes; call `ready()` on it when it listens. */
  addPushTarget(send: PushSend, options?: PushBatcherOptions): PushBatcher {
    const batcher = new PushBatcher(send, options);
    this.targets.add(batcher);
    for (const status of this.hub.list()) batcher.setStatus(status);
    return batcher;
  }

  removePushTarget(batcher: PushBatcher): void {
    batcher.close();
    this.targets.delete(batcher);
  }

  /** In-process observers of every captured record (journal, monitor). Returns the unsubscribe function. */
  onRecords(listener: (record: JournalRecord) => void): () => void {
    this.recordListeners.add(listener);
    return () => this.recordListeners.delete(listener);
  }

  close(): void {
    this.hub.closeAll();
    for (const target of this.targets) target.close();
    this.targets.clear();
  }

  private onRecord(record: JournalRecord): void {
    if (record.type === 'frame') this.tail.push(record);
    for (const target of this.targets) target.addRecord(record);
    for (const listener of this.recordListeners) listener(record);
  }

  private onStatus(status: ConnectionStatus): void {
    for (const target of this.targets) target.setStatus(status);
  }

  private requireProfile(id: string) {
    const profile = this.profiles.get(id);
    if (!profile) throw new AppError('not_found', `no connection profile "${id}"`);
    return profile;
  }

  private buildHandlers(): CommandHandlers {
    return {
      'app.info': () => ({
        name: 'EchoScope',
        version: this.options.version,
        transport: this.options.transport,
        demo: this.options.demo ?? null,
      }),
      'profiles.list': () => this.profiles.list().map(redactProfile),
      'profiles.save': (input) => {
        const profile = ProfileInputSchema.parse(input);
        this.profiles.save(profile);
        return redactProfile(profile);
      },
      'profiles.delete': ({ profileId }) => {
        if (this.hub.status(profileId)) this.hub.disconnect(profileId);
        return { deleted: this.profiles.delete(profileId) };
      },
      'connections.list': () => this.hub.list(),
      'connections.connect': ({ profileId }) => this.hub.connect(this.requireProfile(profileId)),
      'connections.disconnect': ({ profileId }) => this.hub.disconnect(profileId),
      'channels.subscribe': ({ profileId, channel }) => this.hub.subscribe(profileId, channel),
      'channels.unsubscribe': ({ profileId, channel }) => this.hub.unsubscribe(profileId, channel),
      'tail.recent': ({ limit }) => this.tail.recent(limit),
    };
  }
}
