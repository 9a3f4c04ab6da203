export declare const CHROMIUM_ARGS: string[];
declare const _default: import('playwright/test').PlaywrightTestConfig<{}, {}>;
export default _default;
