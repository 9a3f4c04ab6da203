import type { Profile } from '../../../shared/api';

const PREFIXES = ['private-encrypted-', 'private-', 'presence-'];

function hasTypePrefix(name: string): boolean {
  return PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * A channel name as Laravel writes it, on the wire: with `channelType` `private`, `ai.x1` is
 * `private-ai.x1` (what `Echo.private('ai.x1')` and `new PrivateChannel('ai.x1')` use), with
 * `presence` it is `presence-ai.x1`. Names that carry a prefix already, and every name of a
 * `public` profile, are taken as given.
 */
export function wireChannelName(name: string, channelType: Profile['channelType'] = 'public'): string {
  if (channelType === 'public' || hasTypePrefix(name)) return name;
  return `${channelType}-${name}`;
}

/** The private channel a silent public one most likely meant; undefined for names that are private or presence already. */
export function likelyLaravelChannel(name: string): string | undefined {
  return hasTypePrefix(name) ? undefined : `private-${name}`;
}
