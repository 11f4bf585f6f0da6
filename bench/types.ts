/** One benchmark figure. `ratio` is against a floor measured in the same run (these machines are noisy). */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  ratio?: number;
  goal?: string;
}
