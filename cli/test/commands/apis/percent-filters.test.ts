// `apis --min-uptime/--min-rating/--min-trust-score` take any finite decimal from 0 to 100 as people
// write it (`.5`, `1e2`, `99.5`), sent to the gateway as plain decimal text; anything else (not a
// number, NaN, Infinity, out of range) is refused before anything is sent.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessMock } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';

const { mock, server, origin } = startInProcessMock('cli-percent-filters');
afterAll(() => server.close());

const sent: URL[] = [];
server.events.on('request:start', ({ request }) => void sent.push(new URL(request.url)));

const FLAGS = [['--min-uptime', 'min_uptime'], ['--min-rating', 'min_rating'], ['--min-trust-score', 'min_trust_score']] as const;

describe('percentage filters of apis', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
    sent.length = 0;
  });
  afterEach(() => env.restore());

  it.each(FLAGS)('%s accepts any decimal form in range and sends it as plain decimal text', async (flag, param) => {
    const cases: Array<[string, string]> = [['.5', '0.5'], ['1e2', '100'], ['99.5', '99.5'], ['5.', '5'], ['0', '0'], ['-0', '0'], ['100', '100'], ['2.5E1', '25'], ['+7', '7'], ['1e-7', '0.0000001']];
    for (const [value, wire] of cases) {
      sent.length = 0;
      const r = await cli(['apis', flag, value, '--json']);
      expect(r.exitCode, `${flag} ${value}: ${r.stderr}`).toBe(0);
      const listed = sent.filter((url) => url.pathname === '/v1/apis');
      expect(listed.map((url) => url.searchParams.get(param)), `${flag} ${value}`).toEqual([wire]);
    }
  });

  it.each(FLAGS)('%s refuses what is not a finite number from 0 to 100, nothing sent', async (flag) => {
    for (const value of ['abc', 'NaN', 'Infinity', '-Infinity', '1e999', '101', '100.01', '1e3', '-1', '-0.5', '0x10', ' ', '.', 'e2', '1e']) {
      sent.length = 0;
      const r = await cli(['apis', flag, value]);
      expect(r.exitCode, `${flag} ${JSON.stringify(value)}`).toBe(2);
      // (A blank value leaves a blank in the line: spaces compared as one.)
      const line = `usage_error: Parsing ${flag}: Expected a number from 0 to 100 but received: ${value} (see "proxygate apis --help")`;
      expect(r.stderr.trim().replace(/ +/g, ' '), `${flag} ${JSON.stringify(value)}`).toBe(line.replace(/ +/g, ' '));
      expect(sent, `${flag} ${JSON.stringify(value)}`).toEqual([]);
    }
    // An empty value is oclif's to refuse ("expects a value").
    const empty = await cli(['apis', flag, '']);
    expect(empty.exitCode).toBe(2);
    expect(sent).toEqual([]);
  });
});
