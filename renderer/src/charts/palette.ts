import { DARK_CHART_PALETTE, LIGHT_CHART_PALETTE, type ChartPalette } from '../../../shared/charts';
import type { Theme } from '../app/theme';

/** The chart colours of a theme (the table is shared with the HTML report: shared/charts/palette.ts). */
export type { ChartPalette };

export const chartPalette = (theme: Theme): ChartPalette => (theme === 'dark' ? DARK_CHART_PALETTE : LIGHT_CHART_PALETTE);
