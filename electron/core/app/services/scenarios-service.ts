import { AppError } from '../../../../shared/api';
import type { ConnectionHub } from '../../hub';
import type { ScenarioRunner } from '../../scenarios';
import type { DomainHandlers, DomainService } from '../command-router';

export interface ScenariosServiceDeps {
  /** The scenario runner (simulate on the embedded mock, or a full check); without one, `scenarios.*` answer `not_found`. */
  runner: Pick<ScenarioRunner, 'list' | 'load' | 'start' | 'stop' | 'runs'> | undefined;
  hub: Pick<ConnectionHub, 'status' | 'subscribe'>;
  /** Profile whose connection watches `simulate` runs (the demo profile on the embedded mock). */
  simulateProfileId: string | undefined;
}

/** The scenario runner's commands: `scenarios.list|load|start|stop|runs`. */
export class ScenariosService implements DomainService<'scenarios'> {
  readonly handlers: DomainHandlers<'scenarios'>;

  constructor({ runner, hub, simulateProfileId }: ScenariosServiceDeps) {
    const requireRunner = () => {
      if (!runner) throw new AppError('not_found', 'this host runs no scenario runner');
      return runner;
    };
    this.handlers = {
      'scenarios.list': () => requireRunner().list(),
      'scenarios.load': (request) => requireRunner().load(request),
      'scenarios.start': async (request) => {
        const run = requireRunner().start(request);
        // A simulated run plays on the embedded mock: watch its sessions so they show in Live.
        if (run.mode === 'simulate' && simulateProfileId && hub.status(simulateProfileId)) {
          await Promise.all(run.sessions.map((session) => hub.subscribe(simulateProfileId, session.channel, 5000)));
        }
        return run;
      },
      'scenarios.stop': (request) => requireRunner().stop(request),
      'scenarios.runs': () => requireRunner().runs(),
    };
  }
}
