import { AppError, type MetricsSettings, type MetricsState } from '../../../../shared/api';
import type { DomainHandlers, DomainService } from '../command-router';

/** The metrics outputs as the App API sees them (electron/core/metrics' MetricsOutputs). */
export interface MetricsControl {
  state(): MetricsState;
  configure(update: Partial<MetricsSettings>): Promise<MetricsState>;
}

/** Where the metrics go, changed live from Settings: `metrics.state|configure`; without outputs, both answer `not_found`. */
export class MetricsService implements DomainService<'metrics'> {
  readonly handlers: DomainHandlers<'metrics'>;

  constructor(metrics: MetricsControl | undefined) {
    const requireMetrics = () => {
      if (!metrics) throw new AppError('not_found', 'this host keeps no metrics settings');
      return metrics;
    };
    this.handlers = {
      'metrics.state': () => requireMetrics().state(),
      'metrics.configure': (update) => requireMetrics().configure(update),
    };
  }
}
