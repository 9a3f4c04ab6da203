import { z } from 'zod';

/**
 * The wire the fault proxy speaks on both sides: the Pusher protocol (Reverb, soketi, Pusher, the
 * mock) or Socket.IO 2 (laravel-echo-server). The rules and the ground truth are the same for both.
 */
export const PROXY_PROTOCOLS = ['pusher', 'socketio'] as const;
export const ProxyProtocolSchema = z.enum(PROXY_PROTOCOLS);
export type ProxyProtocol = z.infer<typeof ProxyProtocolSchema>;
