import { commandDomains, type CommandDomain, type CommandName, type DomainCommandName } from '../../../shared/api';
import { dispatch, type CommandContext, type CommandHandlers } from './dispatch';

/** One domain's handlers: exactly the commands shared/api's `commandDomains` lists for it. */
export type DomainHandlers<D extends CommandDomain> = Pick<CommandHandlers, DomainCommandName<D>>;

/** What the router knows of a service: the handlers of its domain's commands, and how it lets go. */
export interface DomainService<D extends CommandDomain> {
  readonly handlers: DomainHandlers<D>;
  /** Lets go of what it holds (a running proxy, open uploads) when the app closes. */
  close?(): void;
}

/** One service per domain: leaving a domain out does not compile, and a service types only its own domain's commands. */
export type DomainServices = { [D in CommandDomain]: DomainService<D> };

/**
 * The services registered by domain, and the one `CommandHandlers` map `dispatch` runs: each
 * command goes to the service of its domain. The types already hold every command to one handler
 * (commandDomains are disjoint and cover the API); the constructor checks it again at run time, so
 * a stand-in put together with a cast cannot leave a command unanswered or answer another's.
 */
export class CommandRouter {
  readonly handlers: CommandHandlers;

  constructor(private readonly services: DomainServices) {
    this.handlers = routeCommands(services);
  }

  /** The transports' entry (validation included): see `dispatch`. */
  dispatch(command: unknown, request: unknown, context: CommandContext = {}) {
    return dispatch(this.handlers, command, request, context);
  }

  /** Closes every service that holds something. */
  close(): void {
    for (const domain of domainNames()) this.services[domain].close?.();
  }
}

/** The full handler map from one service per domain; throws naming the command a service misses or claims outside its domain. */
export function routeCommands(services: DomainServices): CommandHandlers {
  const handlers = new Map<CommandName, unknown>();
  for (const domain of domainNames()) {
    const service = services[domain] as DomainService<CommandDomain> | undefined;
    if (service === undefined) throw new Error(`no service answers the ${domain} commands`);
    const own = Object.keys(commandDomains[domain]) as CommandName[];
    const offered = service.handlers as Partial<Record<string, unknown>>;
    for (const name of Object.keys(offered)) {
      if (!own.includes(name as CommandName)) throw new Error(`the ${domain} service claims "${name}", which is ${describeOwner(name)}`);
    }
    for (const name of own) {
      const handler = offered[name];
      if (typeof handler !== 'function') throw new Error(`the ${domain} service has no handler for "${name}"`);
      handlers.set(name, handler);
    }
  }
  return Object.fromEntries(handlers) as CommandHandlers;
}

function domainNames(): CommandDomain[] {
  return Object.keys(commandDomains) as CommandDomain[];
}

function describeOwner(name: string): string {
  const owner = domainNames().find((domain) => Object.prototype.hasOwnProperty.call(commandDomains[domain], name));
  return owner === undefined ? 'no command of the App API' : `a command of the ${owner} domain`;
}
