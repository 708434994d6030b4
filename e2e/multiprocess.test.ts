/**
 * Two server processes on two ports, sharing one PostgreSQL and one Redis,
 * are one service: a user on each gets an invitation sent through the
 * other, and they call and chat across them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PrivateRedis } from '../test/helpers/redis.ts';
import { joinCall, launchBrowser, newUserContext, registerThroughUi, startApp, startPostgres, waitForRemoteVideo, type AppProcess, type Browser, type PrivatePostgres } from './harness.ts';

/** Needs redis-server and PostgreSQL's server binaries; CI always has them (.ci/run installs them). */
const missing = [
  spawnSync('redis-server', ['--version']).status === 0 ? '' : 'redis-server',
  existsSync('/usr/lib/postgresql') ? '' : 'PostgreSQL server (/usr/lib/postgresql)',
].filter(Boolean);
const requirement = missing.length > 0 && process.env.CI !== 'true' ? { skip: `needs ${missing.join(' and ')}` } : {};

describe('two server processes behind PostgreSQL and Redis', requirement, () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let nodes: AppProcess[] = [];
  let browser: Browser;

  before(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), PrivateRedis.start()]);
    const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url };
    // The first process creates the schema; the second finds it migrated.
    nodes = [await startApp(env), await startApp(env)];
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    for (const node of nodes) await node.stop();
    await redis?.down();
    await postgres?.stop();
  });

  test('an invitation rings across processes, then a call and chat between them', async () => {
    const [one, two] = nodes as [AppProcess, AppProcess];
    const alice = await (await newUserContext(browser, one.origin)).newPage();
    const bob = await (await newUserContext(browser, two.origin)).newPage();
    await registerThroughUi(alice, `multiA${process.pid}`);
    await registerThroughUi(bob, `multiB${process.pid}`);

    await alice.getByLabel('Room name').fill('Two servers');
    await alice.getByRole('button', { name: 'Create' }).click();
    const card = alice.locator('#rooms li', { hasText: 'Two servers' });
    await card.getByPlaceholder('Username to invite').fill(`multiB${process.pid}`);
    await card.getByRole('button', { name: 'Send' }).click();
    const ringing = bob.getByRole('dialog', { name: 'Incoming call' });
    await ringing.getByText('Two servers').waitFor({ timeout: 2000 });

    await card.getByRole('link', { name: 'Join' }).click();
    await joinCall(alice);
    await ringing.getByRole('button', { name: 'Join the call' }).click();
    await bob.waitForURL('**/room/*');
    await joinCall(bob);
    assert.ok(alice.url().startsWith(one.origin) && bob.url().startsWith(two.origin), 'each stays on its own process');
    await Promise.all([waitForRemoteVideo(alice, 1), waitForRemoteVideo(bob, 1)]);

    await alice.getByLabel('Message').fill('hello from process one');
    await alice.getByLabel('Message').press('Enter');
    await bob.locator('.message', { hasText: 'hello from process one' }).waitFor();
    await bob.getByLabel('Message').fill('hello from process two');
    await bob.getByLabel('Message').press('Enter');
    await alice.locator('.message', { hasText: 'hello from process two' }).waitFor();
  });
});
