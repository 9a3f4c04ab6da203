/** One figure of `npm run bench`: a measurement and the baseline measured in the same run. */
export interface BenchResult {
  suite: string;
  name: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  /** value relative to the baseline, as defined by the suite (stated in `note`). */
  ratio: number;
  goal?: string;
  note?: string;
}
