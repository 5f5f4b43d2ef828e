// The Debian chromium the dashboard is checked with (screenshots, end-to-end tests, Lighthouse), headless and quiet:
// no sandbox (containers), no GPU, no background traffic to Google.
export const CHROMIUM_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
