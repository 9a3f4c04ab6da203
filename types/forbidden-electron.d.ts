/**
 * What `electron` resolves to outside electron/main and electron/preload (DESIGN §3):
 * it exports nothing usable, so `import { app } from 'electron'` in core, mock, cli,
 * shared or renderer fails to compile. dependency-cruiser's allowlist (.dependency-cruiser.cjs) catches the rest.
 */
export declare const ELECTRON_IS_ONLY_FOR_ELECTRON_MAIN_AND_PRELOAD: unique symbol;
