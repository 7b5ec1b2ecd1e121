/**
 * glue-mock-daemon says on stderr when a remembered grant could not be written (issue 11, item 10):
 * the run fails with the store error and one escaped line names it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanupDaemons, spawnDaemon, tempDir, within } from './spawn-daemon.js';

afterEach(cleanupDaemons);

const token = 'cli-store-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${token}` };

it('a grant the store cannot write fails its run and is logged on stderr', async () => {
  const dir = tempDir();
  const daemon = spawnDaemon(['--listen', '127.0.0.1:0', '--token', token, '--metadata', '', '--delay-scale', '0', '--permission-store', join(dir, 'store', 'permissions.json')]);
  const lines = await daemon.lines(1);
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(lines.join('\n') + daemon.stdout())?.[0] ?? '';
  writeFileSync(join(dir, 'store'), 'not a directory\n');
  const run = (await (await fetch(`${url}/v1/sessions/s/runs`, { method: 'POST', headers: auth, body: '{"text":"permission"}' })).json()) as { run_id: string; events_url: string };
  const reader = (await fetch(url + run.events_url, { headers: auth })).body?.getReader();
  let text = '';
  let decided = false;
  await within(
    (async () => {
      for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
        text += Buffer.from(next.value).toString();
        const asked = !decided && /"permission_id":"([^"]+)"/.exec(text);
        if (!asked) continue;
        decided = true;
        const answer = await fetch(`${url}/v1/runs/${run.run_id}/permissions/${asked[1]}/decision`, { method: 'POST', headers: auth, body: '{"allow":true,"remember_for":"forever"}' });
        expect(answer.status).toBe(200);
      }
    })(),
    'the run to end',
  );
  expect(text).toMatch(/event: run_error\n.*"code":"internal","message":"daemon: prepare permission store: mkdir [^"]*store: [a-z ]+"/);
  await within(
    (async () => {
      while (!daemon.stderr().includes('\n')) await new Promise((resolve) => setTimeout(resolve, 20));
    })(),
    'the stderr line',
  );
  expect(daemon.stderr()).toMatch(/^glue-mock-daemon: permission grant not remembered \(run run_[0-9a-f]+\): daemon: prepare permission store: mkdir .*\n$/);
});
