import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseAuthPolicy, type MockServerOptions } from './config';

const appSchema = z.object({ id: z.string().min(1), key: z.string().min(1), secret: z.string().min(1) }).strict();
const positive = z.number().int().positive();

/**
 * The mock's JSON config file (`echoscope mock --config F`): several apps, limits, timeouts.
 * Field names follow MockServerOptions; `authPolicy` may be the CLI spelling (`allow-list:a,b.*`).
 */
export const mockConfigFileSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    apps: z.array(appSchema).min(1).optional(),
    limits: z
      .object({
        maxConnections: positive.optional(),
        maxMessageSize: positive.optional(),
        clientEventRate: positive.optional(),
        maxChannelsPerConnection: positive.optional(),
        maxHttpBodySize: positive.optional(),
        maxBatchSize: positive.optional(),
        maxChannelsPerEvent: positive.optional(),
      })
      .strict()
      .optional(),
    activityTimeoutSec: positive.optional(),
    pongTimeoutSec: positive.optional(),
    cacheTtlSec: positive.optional(),
    timestampToleranceSec: positive.optional(),
    authPolicy: z
      .union([
        z.string(),
        z.object({ kind: z.literal('allow-all') }),
        z.object({ kind: z.literal('deny') }),
        z.object({ kind: z.literal('allow-list'), channels: z.array(z.string()) }),
      ])
      .optional(),
    encryptionMasterKeyBase64: z.string().optional(),
    /** Reverb's horizontal scaling: `{"url": "redis://127.0.0.1:6379", "channel": "reverb"}`. */
    scaling: z
      .object({ url: z.string().min(1), channel: z.string().min(1).optional() })
      .strict()
      .optional(),
  })
  .strict();

export type MockConfigFile = z.infer<typeof mockConfigFileSchema>;

/** Parses config file text; throws an Error naming the file and the offending field. */
export function parseMockConfig(text: string, source = 'config'): MockServerOptions {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const parsed = mockConfigFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const { authPolicy, ...rest } = parsed.data;
  return { ...rest, ...(authPolicy === undefined ? {} : { authPolicy: typeof authPolicy === 'string' ? parseAuthPolicy(authPolicy) : authPolicy }) };
}

export async function loadMockConfig(path: string): Promise<MockServerOptions> {
  return parseMockConfig(await readFile(path, 'utf8'), path);
}
