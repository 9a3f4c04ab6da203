/**
 * The router that registers one service per command domain: every command of the App API goes to
 * the service of its domain, once. The types refuse a service that misses a command of its domain,
 * claims another domain's, or a domain without a service (the `@ts-expect-error` lines below fail
 * the build if they stop being errors); the run-time check refuses the same when a stand-in was put
 * together with a cast. The services here are TEST DOUBLES made from `commandDomains`: each handler
 * answers the name of the domain it was registered for.
 */
import { describe, expect, it } from 'vitest';
import { commandDomains, commands, type CommandDomain, type CommandName } from '../../../shared/api';
import { CommandRouter, routeCommands, type DomainHandlers, type DomainService, type DomainServices } from './command-router';

/** TEST DOUBLE: a service of `domain` whose every handler answers `{domain}` (built from the domain's command list, hence the cast). */
function echoService<D extends CommandDomain>(domain: D): DomainService<D> {
  const handlers = Object.fromEntries(Object.keys(commandDomains[domain]).map((name) => [name, () => ({ domain })]));
  return { handlers: handlers as unknown as DomainHandlers<D> };
}

/** TEST DOUBLES for every domain. */
function echoServices(): DomainServices {
  const services = Object.fromEntries((Object.keys(commandDomains) as CommandDomain[]).map((domain) => [domain, echoService(domain)]));
  return services as DomainServices;
}

describe('CommandRouter', () => {
  it('hands every command of the App API to the service of its domain, and no other', async () => {
    const router = new CommandRouter(echoServices());
    expect(Object.keys(router.handlers).sort()).toEqual(Object.keys(commands).sort());
    for (const [domain, group] of Object.entries(commandDomains)) {
      for (const name of Object.keys(group) as CommandName[]) {
        const handler = router.handlers[name] as (request: unknown, context: object) => unknown;
        expect(handler({}, {}), name).toEqual({ domain });
      }
    }
  });

  it('dispatches through the one entry: validation first, results as envelopes', async () => {
    const router = new CommandRouter(echoServices());
    expect(await router.handlers['profiles.list']({}, {})).toEqual({ domain: 'connections' });
    expect(await router.dispatch('nope.nothing', {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    expect(await router.dispatch('app.info', { unexpected: true })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('refuses a domain without a service', () => {
    const services: Partial<DomainServices> = echoServices();
    delete services.proxy;
    expect(() => routeCommands(services as DomainServices)).toThrow('no service answers the proxy commands');
  });

  it('refuses a service that leaves one of its commands unanswered', () => {
    const scenarios = echoService('scenarios');
    const { 'scenarios.runs': _left, ...partial } = scenarios.handlers;
    expect(() => routeCommands({ ...echoServices(), scenarios: { handlers: partial as DomainHandlers<'scenarios'> } })).toThrow(
      'the scenarios service has no handler for "scenarios.runs"',
    );
  });

  it('refuses a command claimed twice: a service answering another domain’s command', () => {
    const journal = echoService('journal');
    const claiming = { handlers: { ...journal.handlers, 'proxy.stop': () => ({ stopped: false, truth: null }) } as DomainHandlers<'journal'> };
    expect(() => routeCommands({ ...echoServices(), journal: claiming })).toThrow('the journal service claims "proxy.stop", which is a command of the proxy domain');
    const inventing = { handlers: { ...journal.handlers, 'journal.shred': () => null } as DomainHandlers<'journal'> };
    expect(() => routeCommands({ ...echoServices(), journal: inventing })).toThrow('the journal service claims "journal.shred", which is no command of the App API');
  });

  it('closes the services that hold something', () => {
    const closed: string[] = [];
    const router = new CommandRouter({ ...echoServices(), proxy: { ...echoService('proxy'), close: () => closed.push('proxy') } });
    router.close();
    expect(closed).toEqual(['proxy']);
  });

  it('is refused by the types as well (compile-time checks)', () => {
    const metrics: DomainHandlers<'metrics'> = {
      'metrics.state': () => ({ settings: { port: null, otlp: null } }) as never,
      'metrics.configure': () => ({}) as never,
      // @ts-expect-error — a metrics service may not answer a command of another domain
      'proxy.status': () => null,
    };
    // @ts-expect-error — a metrics service must answer every metrics command
    const missing: DomainHandlers<'metrics'> = { 'metrics.state': metrics['metrics.state'] };
    // @ts-expect-error — every domain needs its service
    const incomplete: DomainServices = { app: echoService('app') };
    expect([metrics, missing, incomplete]).toHaveLength(3);
  });
});
