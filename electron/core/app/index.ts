export { AppService, type AppServiceOptions, type JournalPort, type SessionScope } from './app-service';
export { dispatch, type CommandHandlers } from './dispatch';
export { CommandRouter, routeCommands, type DomainHandlers, type DomainService, type DomainServices } from './command-router';
export { PushBatcher, type PushSend } from './push-batcher';
export { MemoryProfileStore, type ProfileStore } from './profile-store';
export { FrameTail } from './frame-tail';
export { FileProfileStore, type SecretCodec } from './file-profile-store';
export { SettingsFile } from './settings-file';
export type { MetricsControl } from './app-service';
