import { describe, expect, it } from 'vitest';
import { readScalingMessage, reverbApplicationId } from './tap-messages';

/** PHP's serialize() of a Laravel\Reverb\Application whose id is `id`, written out by hand (lengths in UTF-8 bytes). */
const serialized = (id: string) => `O:26:"Laravel\\Reverb\\Application":2:{s:5:"\u0000*\u0000id";s:${Buffer.byteLength(id)}:"${id}";s:6:"\u0000*\u0000key";s:1:"k";}`;

describe("Reverb's application field: only the id is read, nothing unserialized", () => {
  it('reads the id, multibyte ones by their byte length', () => {
    expect(reverbApplicationId(serialized('app-1'))).toBe('app-1');
    expect(reverbApplicationId(serialized('ünï-ç🙂'))).toBe('ünï-ç🙂');
  });

  it('another class, a cut text or a wrong length is no id', () => {
    expect(reverbApplicationId(serialized('app-1').replace('Reverb\\Application', 'Reverb\\Applicatioz'))).toBeUndefined();
    expect(reverbApplicationId(serialized('app-1').slice(0, 50))).toBeUndefined();
    expect(reverbApplicationId(serialized('app-1').replace('s:5:"app-1"', 's:9:"app-1"'))).toBeUndefined();
    expect(reverbApplicationId('')).toBeUndefined();
  });

  it('a message whose id cannot be read is ignored when an app is chosen, read when none is', () => {
    const message = JSON.stringify({ type: 'message', application: 'garbage', payload: { event: 'e', channels: ['c'], data: '{}' } });
    expect(readScalingMessage(message, 'app-1')).toEqual({ ignored: 'a message whose application id cannot be read' });
    expect(readScalingMessage(message)).toEqual({ events: [{ channel: 'c', event: 'e', data: {} }] });
  });
});
