// `proxygate version --json`: the line `version` prints, as an object, like other commands' --json
// (plain JSON on stdout, a JSON error with its exit code); `--version --json` is in test/cli (bin/run.cjs).
import { describe, expect, it } from 'vitest';
import { cli } from '../../helpers/run.js';

describe('version --json', () => {
  it('prints the parts of the version line as an object, nothing else', async () => {
    const line = await cli(['version']);
    const r = await cli(['version', '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout) as Record<string, string>;
    expect(json).toEqual({ name: '@proxygate-kit/cli', version: expect.stringMatching(/^\d+\.\d+\.\d+/), platform: process.platform, arch: expect.any(String), node: process.version });
    expect(`${json['name']}/${json['version']} ${json['platform']}-${json['arch']} node-${json['node']}\n`).toBe(line.stdout);
  });

  it('a word after it is refused as a JSON error too (exit 2)', async () => {
    const r = await cli(['version', '--json', 'foo']);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'usage_error', message: 'Unexpected argument: foo', action: '"proxygate version" takes no arguments; see "proxygate version --help"', exit_code: 2 },
    });
  });
});
