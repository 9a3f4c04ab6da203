import { AppError } from '../../../../shared/api';
import { parseContractProfile } from '../../../../shared/contract';
import type { Clock } from '../../clock';
import { previewContract } from '../../monitor/contract-preview';
import type { Monitor } from '../../monitor';
import type { DomainHandlers, DomainService } from '../command-router';

export interface ContractsServiceDeps {
  monitor: Pick<Monitor, 'updateProfile' | 'profile' | 'recentRecords' | 'settings' | 'updateSettings' | 'unrecognised'>;
  clock: Clock;
}

/** How live analysis reads channels: `monitor.settings`, `monitor.profile`, `contracts.preview`, `channels.unrecognised`. */
export class ContractsService implements DomainService<'contracts'> {
  readonly handlers: DomainHandlers<'contracts'>;

  constructor({ monitor, clock }: ContractsServiceDeps) {
    this.handlers = {
      'monitor.settings': (update) => (Object.keys(update).length === 0 ? monitor.settings() : monitor.updateSettings(update)),
      'monitor.profile': ({ profile }) => {
        if (profile !== undefined) {
          const parsed = profile === null ? ({ ok: true, profile: null } as const) : parseContractProfile(profile);
          if (!parsed.ok) throw new AppError('invalid_request', parsed.error);
          monitor.updateProfile(parsed.profile);
        }
        const current = monitor.profile();
        return { profile: current as unknown as Record<string, unknown> | null, automatic: current === null };
      },
      'contracts.preview': ({ profile, limit }) => previewContract(monitor.recentRecords(limit), monitor.settings(), profile ?? null, clock()),
      'channels.unrecognised': () => ({ items: monitor.unrecognised() }),
    };
  }
}
