// `proxygate --version --json` (bin/run.cjs hands `--version WORDS` to the version command) prints
// what `version --json` prints; a bare `--version` stays bin/run.cjs's own line.
import { describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './harness.js';

describe('--version --json through the built binary', () => {
  it('prints the version object, as `version --json` does', async () => {
    assertBuilt();
    const flag = await runCli(['--version', '--json']);
    const command = await runCli(['version', '--json']);
    const line = await runCli(['--version']);
    expect(flag.code).toBe(0);
    expect(command.code).toBe(0);
    expect(flag.stderr).toBe('');
    expect(flag.stdout).toBe(command.stdout);
    const json = JSON.parse(flag.stdout) as Record<string, string>;
    expect(line.stdout).toBe(`${json['name']}/${json['version']} ${json['platform']}-${json['arch']} node-${json['node']}\n`);
  });
});
