import type { Profile } from '../../../shared/api';

/** Where connection profiles (with their secrets) live. Electron stores secrets with safeStorage; the host keeps them in memory. */
export interface ProfileStore {
  list(): Profile[];
  get(id: string): Profile | undefined;
  save(profile: Profile): void;
  delete(id: string): boolean;
}

export class MemoryProfileStore implements ProfileStore {
  private readonly profiles = new Map<string, Profile>();

  constructor(initial: Profile[] = []) {
    for (const profile of initial) this.profiles.set(profile.id, profile);
  }

  list(): Profile[] {
    return [...this.profiles.values()];
  }

  get(id: string): Profile | undefined {
    return this.profiles.get(id);
  }

  save(profile: Profile): void {
    this.profiles.set(profile.id, profile);
  }

  delete(id: string): boolean {
    return this.profiles.delete(id);
  }
}
