import { FileProfileStore, MemoryProfileStore, type ProfileStore } from '../core/app';
import type { Notices } from './notices';
import { safeStorageCodec } from './secret-codec';

/**
 * Profiles live in userData with their secrets sealed by safeStorage. Where safeStorage would not
 * protect them, they are kept in memory only; a file that cannot be read is moved aside (never
 * overwritten by the next save). Either way the user is told.
 */
export function openProfileStore(path: string, notices: Notices): ProfileStore {
  let store: FileProfileStore;
  try {
    store = new FileProfileStore(path, safeStorageCodec());
  } catch (error) {
    notices.tell({
      type: 'warning',
      message: 'Connection profiles will be kept in memory only and forgotten when EchoScope quits.',
      detail: error instanceof Error ? error.message : String(error),
    });
    return new MemoryProfileStore();
  }
  if (store.movedAside) {
    notices.tell({
      type: 'warning',
      message: 'Your saved connection profiles could not be read. The file was moved aside, not deleted.',
      detail: `${store.movedAside.reason}.\n\nIt is kept as ${store.movedAside.path}. Profiles that could be read were kept.`,
    });
  }
  return store;
}
