/**
 * Firefox and Chromium in one call: Debian's Firefox ESR (driven by
 * puppeteer-core over WebDriver BiDi) and Chromium join the same room, see
 * and hear each other, read the same verification code and chat. Skipped,
 * with a note, where firefox-esr is not installed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser as FirefoxBrowser, type Page as FirefoxPage } from 'puppeteer-core';
import { createRoom, enterRoom, launchBrowser, newUserContext, openChat, PASSWORD, signUp, startApp, waitForRemoteVideo, watchPage, type AppProcess, type Browser, type PageProblems } from './harness.ts';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Fake camera and microphone, granted, and host candidates on loopback (TESTING.md). */
const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.navigator.permission.fake': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.default_address_only': false,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
};

describe('Firefox and Chromium in one call', { skip: existsSync(FIREFOX) ? false : `${FIREFOX} is not installed (apt-get install -y firefox-esr)` }, () => {
  let app: AppProcess;
  let chromium: Browser;
  let firefox: FirefoxBrowser;
  const problems: PageProblems[] = [];
  const firefoxErrors: string[] = [];

  before(async () => {
    app = await startApp();
    chromium = await launchBrowser();
    firefox = await puppeteer.launch({ browser: 'firefox', protocol: 'webDriverBiDi', executablePath: FIREFOX, headless: true, extraPrefsFirefox: FIREFOX_PREFS });
  });
  after(async () => {
    await firefox?.close();
    await chromium?.close();
    await app?.stop();
  });

  const framesAt = (page: FirefoxPage) => page.evaluate(async () => Object.values(await (window as any).__call.decodedFrames()) as number[]);

  test('they connect, decode each other’s video, agree on the verification code and chat', async () => {
    const chrome = await (await newUserContext(chromium, app.origin)).newPage();
    problems.push(watchPage(chrome));
    await signUp(chrome, `chromium${process.pid}`);
    const fox = await firefox.newPage();
    fox.on('pageerror', (error) => firefoxErrors.push(String(error)));
    await fox.goto(`${app.origin}/`);
    const status = await fox.evaluate(async (name, password) => (await fetch('/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password }) })).status, `firefox${process.pid}`, PASSWORD);
    assert.equal(status, 201);

    const roomId = await createRoom(chrome, 'Two browsers');
    await enterRoom(chrome, roomId);
    await fox.goto(`${app.origin}/room/${roomId}`);
    await fox.waitForSelector('[data-action=join]:not([disabled])');
    await fox.click('[data-action=join]');

    await waitForRemoteVideo(chrome, 1, 30_000);
    await fox.waitForFunction(async () => {
      const frames = Object.values(await (window as any).__call.decodedFrames()) as number[];
      return frames.length === 1 && frames[0]! > 0;
    }, { timeout: 30_000, polling: 200 });
    assert.ok((await framesAt(fox))[0]! > 0);
    await fox.waitForSelector('.tile[data-self=false][data-link=connected]');
    await chrome.locator('.tile[data-self=false][data-link=connected]').waitFor();

    const code = (page: { evaluate: FirefoxPage['evaluate'] }) => page.evaluate(async () => {
      const call = (window as any).__call;
      return call.verificationCode(call.remotePeers[0].peerId) as Promise<string | null>;
    });
    const [inChromium, inFirefox] = [await chrome.evaluate(async () => {
      const call = (window as any).__call;
      return call.verificationCode(call.remotePeers[0].peerId) as Promise<string | null>;
    }), await code(fox)];
    assert.match(inChromium ?? '', /^\d{4} \d{4}$/);
    assert.equal(inFirefox, inChromium, 'the same code in both browsers');

    await fox.evaluate(() => {
      const panel = document.querySelector('[data-panel]')!;
      if (panel.hasAttribute('hidden')) document.querySelector<HTMLButtonElement>('.controls [data-action=chat]')!.click();
    });
    await fox.type('#chat-input', 'hello from Firefox');
    await fox.keyboard.press('Enter');
    await openChat(chrome);
    await chrome.locator('.message', { hasText: 'hello from Firefox' }).waitFor();
    await fox.screenshot({ path: 'test-results/call-firefox.png' });
    await chrome.context().close();
    await fox.close();
  });

  test('neither browser hit a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems.flatMap((p) => p.csp), []);
    assert.deepEqual([...problems.flatMap((p) => p.errors), ...firefoxErrors], []);
  });
});
