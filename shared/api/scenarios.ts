import { z } from 'zod';

/**
 * Scenario commands of the App API (the mock provider's scenario runner). Spread into
 * `commands` / `pushes`; the handlers live in electron/core (AppService).
 */
export const scenarioCommands = {} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

export const scenarioPushes = {} as const satisfies Record<string, z.ZodType>;
