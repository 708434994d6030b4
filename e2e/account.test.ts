/**
 * The account page as a user meets it: my sessions, signing another one out,
 * changing the password, deleting the account; accessible and CSP-clean.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { launchBrowser, newUserContext, PASSWORD, registerThroughUi, startApp, watchPage, type AppProcess, type Browser, type PageProblems } from './harness.ts';

const NEW_PASSWORD = 'another long passphrase';

describe('account page', () => {
  let app: AppProcess;
  let browser: Browser;
  const problems: PageProblems[] = [];

  before(async () => {
    app = await startApp();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  test('sessions, signing another browser out, password change and deletion work from the page', async () => {
    const username = `acct${process.pid}`;
    const laptop = await (await newUserContext(browser, app.origin)).newPage();
    const phone = await (await newUserContext(browser, app.origin)).newPage();
    problems.push(watchPage(laptop), watchPage(phone));
    await registerThroughUi(laptop, username);
    await phone.goto('/');
    await phone.locator('#signin-form').getByLabel('Username').fill(username);
    await phone.locator('#signin-form').getByLabel('Password').fill(PASSWORD);
    await phone.locator('#signin-form').getByRole('button', { name: 'Sign in' }).click();
    await phone.waitForURL('**/dashboard');

    await laptop.getByRole('link', { name: 'Account' }).click();
    await laptop.waitForURL('**/account');
    const sessions = laptop.locator('#sessions li');
    await sessions.nth(1).waitFor();
    assert.equal(await sessions.count(), 2);
    assert.equal(await laptop.locator('#sessions li', { hasText: 'This browser' }).count(), 1);

    const serious = (await new AxeBuilder({ page: laptop }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(serious.map((v) => v.id), []);

    // Sign the phone out from the laptop: its next request finds no session.
    await laptop.locator('#sessions li', { hasNotText: 'This browser' }).getByRole('button', { name: 'Sign out' }).click();
    await laptop.locator('#sessions li').nth(1).waitFor({ state: 'detached' });
    await phone.reload();
    await phone.waitForURL((url) => url.pathname === '/');

    const form = laptop.locator('#change-password');
    await form.getByLabel('Current password').fill('not the password');
    await form.getByLabel('New password').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await laptop.getByText('The current password is wrong.').waitFor();
    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await laptop.getByText('Password changed.').waitFor();
    await laptop.reload();
    await laptop.locator('#sessions li').first().waitFor();
    assert.equal(laptop.url().endsWith('/account'), true, 'still signed in after the change (the session was rotated)');

    laptop.once('dialog', (dialog) => void dialog.accept());
    await laptop.locator('#delete-account').getByLabel('Your password, to confirm').fill(NEW_PASSWORD);
    await laptop.getByRole('button', { name: 'Delete my account' }).click();
    await laptop.waitForURL((url) => url.pathname === '/');
    const login = await laptop.evaluate(async ([name, password]) => {
      const response = await fetch('/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: name, password }) });
      return response.status;
    }, [username, NEW_PASSWORD]);
    assert.equal(login, 401, 'the account is gone');
  });

  test('no CSP or Trusted Types violation and no uncaught error', () => {
    assert.deepEqual(problems.flatMap((p) => p.csp), []);
    assert.deepEqual(problems.flatMap((p) => p.errors), []);
  });
});
