import type { AppInfo } from '../../../../shared/api';
import type { DomainHandlers, DomainService } from '../command-router';

/** What the host is: `app.info`. */
export class AppInfoService implements DomainService<'app'> {
  readonly handlers: DomainHandlers<'app'>;

  constructor(info: Omit<AppInfo, 'name'>) {
    const answer: AppInfo = { name: 'EchoScope', version: info.version, transport: info.transport, demo: info.demo };
    this.handlers = { 'app.info': () => ({ ...answer }) };
  }
}
