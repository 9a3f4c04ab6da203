export { AppInfoService } from './app-info-service';
export { ConnectionsService, type ConnectionsServiceDeps, type MockCounters } from './connections-service';
export { SessionsService, fleetSummary, type SessionsServiceDeps, type Reconcile } from './sessions-service';
export { ContractsService, type ContractsServiceDeps } from './contracts-service';
export { JournalApiService, requireJournal, type JournalApiServiceDeps } from './journal-api-service';
export { ScenariosService, type ScenariosServiceDeps } from './scenarios-service';
export { ProxyService, type ProxyServiceDeps } from './proxy-service';
export { MetricsService, type MetricsControl } from './metrics-service';
export { SubscriptionsService } from './subscriptions-service';
