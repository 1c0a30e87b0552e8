// Drives the gateway's /dashboard in headless Chromium (Debian's chromium) with playwright-core, in two phases:
//   1. open the page, wait until the named providers are listed healthy, print {"phase":"initial", ...} and a screenshot;
//   2. read one line of JSON expectations from stdin (sent after the test has sent its traffic), wait until the page shows
//      them, take screenshots (1280x800, phone width, dark mode) and print {"phase":"final", ...}.
// Every wait is for a condition, with a generous timeout; nothing depends on how fast the machine is.
// Usage: node dashboard-test.mjs <gateway base url> <chromium path> <artifacts dir> <provider,provider,...>
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [baseUrl, executablePath, artifacts, providerList] = process.argv.slice(2);
const providers = providerList.split(",");
const TIMEOUT = 90_000;
mkdirSync(artifacts, { recursive: true });
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
let page;
try {
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(new URL("dashboard/", baseUrl).toString());

  const read = () => page.evaluate((names) => {
    const out = { updates: Number(document.body.dataset.updates ?? 0), providers: {} };
    for (const name of names) {
      const row = document.querySelector(`tr[data-provider="${name}"]`);
      const field = (f) => row?.querySelector(`[data-field="${f}"]`)?.textContent ?? null;
      out.providers[name] = row ? { state: field("state"), requests: field("requests"), successRate: field("success-rate"), cost: field("cost"), latencyP95: field("latency-p95") } : null;
    }
    out.currentChoice = document.querySelector('[data-chain] [data-field="current-choice"]')?.textContent ?? null;
    out.routerStrategy = document.querySelector('[data-router] [data-field="router-strategy"]')?.textContent ?? null;
    out.routerChoice = document.querySelector('[data-router] [data-field="router-choice"]')?.textContent ?? null;
    out.decisions = [...document.querySelectorAll('[data-field="decision"]')].map((d) => d.textContent);
    out.charts = document.querySelectorAll(".chart canvas").length;
    out.status = document.getElementById("status").textContent;
    out.budgets = [...document.querySelectorAll('[data-field="budget"]')].map((b) => b.textContent);
    out.overflowX = document.documentElement.scrollWidth > window.innerWidth;
    return out;
  }, providers);

  await page.waitForFunction((names) => names.every((n) =>
    document.querySelector(`tr[data-provider="${n}"] [data-field="state"]`)?.textContent === "healthy"), providers, { timeout: TIMEOUT });
  await page.screenshot({ path: join(artifacts, "dashboard-initial.png"), fullPage: true });
  console.log(JSON.stringify({ phase: "initial", ...(await read()), consoleErrors }));

  const next = await lines.next();
  const expected = JSON.parse(next.value);
  const reached = (exp) => Object.entries(exp.providers).every(([name, e]) => {
    const row = document.querySelector(`tr[data-provider="${name}"]`);
    const text = (f) => row?.querySelector(`[data-field="${f}"]`)?.textContent ?? "";
    const number = (f) => Number.parseFloat(text(f).replace(/[^0-9.]/g, ""));
    return row
      && (e.state === undefined || text("state") === e.state)
      && (e.requests === undefined || number("requests") === e.requests)
      && (e.costAbove === undefined || number("cost") > e.costAbove)
      && (e.chartsAtLeast === undefined || document.querySelectorAll(".chart canvas").length >= e.chartsAtLeast);
  }) && (exp.decisionsAtLeast === undefined || document.querySelectorAll('[data-field="decision"]').length >= exp.decisionsAtLeast);
  try {
    await page.waitForFunction(reached, expected, { timeout: TIMEOUT });
  } catch (error) {
    await page.screenshot({ path: join(artifacts, "dashboard-timeout.png"), fullPage: true });
    console.log(JSON.stringify({ phase: "timeout", error: String(error), ...(await read()), consoleErrors }));
    process.exitCode = 1;
  }

  if (process.exitCode !== 1) {
    await page.screenshot({ path: join(artifacts, "dashboard-1280.png"), fullPage: true });
    const wide = await read();
    await page.setViewportSize({ width: 390, height: 844 });
    const before = wide.updates;
    await page.waitForFunction((n) => Number(document.body.dataset.updates ?? 0) > n, before, { timeout: TIMEOUT });
    await page.screenshot({ path: join(artifacts, "dashboard-phone.png"), fullPage: true });
    const phone = await read();
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.reload();
    await page.waitForFunction(() => Number(document.body.dataset.updates ?? 0) > 0, null, { timeout: TIMEOUT });
    await page.screenshot({ path: join(artifacts, "dashboard-dark.png") });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    console.log(JSON.stringify({ phase: "final", ...wide, phoneOverflowX: phone.overflowX, darkBackground: background, consoleErrors }));
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close();
  process.exit(process.exitCode ?? 0);
}
