import { startMockServer } from '/work/main/electron/mock/index';
import { startScenario } from '/work/main/electron/mock/simulator/index';
import { parseScenario, expectedAnomalies } from '/work/main/shared/scenario/index';
const server = await startMockServer({ port: 0 });
const scenario = parseScenario({ name: 'smoke', seed: 7, tokens: 12, timing: { ttftMs: 5, interTokenMs: 2 }, waitForSubscriber: false, orphanAfterMs: 100,
  sessions: [{ id: 's1', faults: [{ kind: 'crash', afterTokens: 5, retry: { tries: 2, backoffMs: 20 } }] }, { id: 's2', faults: [{ kind: 'silent-death', afterTokens: 4 }, {kind:'reorder', sequences:[2]}, {kind:'malformed', variant:'broken-json', sequences:[3]}] }] });
const run = startScenario(server, scenario);
const p = await run.done;
console.log(p, run.timing());
for (const s of run.truth.sessions) console.log(s.sessionId, s.outcome, s.events.map(e => `${e.sequence}${e.state[0]}${e.delivery[0]}@${e.t.toFixed(0)}`).join(' '), JSON.stringify(expectedAnomalies(s, { stallAfterMs: 50 })), server.generations.get(s.sessionId));
await server.close();
