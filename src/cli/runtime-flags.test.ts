/**
 * Joule's V8 flags are given in two places, `npm start` (package.json) and the `joule` command's first line
 * (bin/joule.mjs), and bench:csms reads them from the first: they must agree, and this Node.js must accept them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const flagsOf = (line: string): string[] => line.split(/\s+/).filter((word) => word.startsWith('--'));

test('npm start and the joule command run Node.js with the same flags, and Node.js accepts them', () => {
  const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: { start: string } };
  const fromStart = flagsOf(manifest.scripts.start);
  const shebang = readFileSync(new URL('bin/joule.mjs', root), 'utf8').split('\n')[0] ?? '';
  assert.match(shebang, /^#!\/usr\/bin\/env -S node /);
  assert.deepEqual(flagsOf(shebang), fromStart);
  assert.ok(fromStart.includes('--max-semi-space-size=64') && fromStart.includes('--no-allocation-site-pretenuring'), fromStart.join(' '));

  const probe = spawnSync(process.execPath, [...fromStart, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().total_heap_size > 0))'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, probe.stderr);
  assert.equal(probe.stderr, '');
  assert.equal(probe.stdout, 'true');
});
