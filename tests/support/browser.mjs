// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core,
// with the switches WebRTC needs here (../shared/design/webrtc-testing.md).
import { chromium } from "playwright-core";

// The address phones reach the server at: the LAN address of the test's
// network namespace (tests/browser/run.sh sets it). Pages served from it
// are plain http at a non-localhost address, so not a secure context, as
// at a venue: no crypto.randomUUID, crypto.subtle, camera or clipboard.
export const lanHost = process.env.FC_LAN_HOST ?? "127.0.0.1";

/** `camera`: a .y4m file the fake camera shows (see y4m.mjs). */
export async function launchBrowser({ camera } = {}) {
  const cameraArgs = camera
    ? ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${camera}`]
    : [];
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // host candidates as plain addresses: nothing here resolves .local names
      "--disable-features=WebRtcHideLocalIpsWithMdns",
      ...cameraArgs,
    ],
  });
}

/** A person: a fresh browser context (own storage) with one page. */
export async function person(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  return { context, page, errors };
}

/** The room id the server knows the page's room by (derived from the
 *  room's secret on the page, so a test cannot just use the code). */
export async function roomIdOf(page, timeout = 20000) {
  const room = page.locator("main.room[data-room-id]");
  await room.waitFor({ timeout });
  return room.getAttribute("data-room-id");
}
