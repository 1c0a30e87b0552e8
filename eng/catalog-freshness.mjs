#!/usr/bin/env node
// Catalog freshness report: lists provider profiles whose "verified" date (the last time their facts were checked
// against the provider's documentation) is older than a limit (120 days by default), and those never verified since
// lifecycles were recorded. It warns and always exits 0: time passing must not block unrelated work. The fix for a
// stale profile is re-verifying its facts (and lifecycles), then updating "verified" -- never just bumping the date.
//
//   node eng/catalog-freshness.mjs [--days 120] [--today YYYY-MM-DD] [--json] [--catalog path/to/providers.json]
//
// The last line printed is the summary; .ci/run prints it.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

try {
  const here = dirname(fileURLToPath(import.meta.url));
  const catalogPath = option("--catalog", join(here, "..", "src", "CompatAI", "Catalog", "Data", "providers.json"));
  const days = Number.parseInt(option("--days", "120"), 10);
  const todayText = option("--today", new Date().toISOString().slice(0, 10));
  const today = Date.parse(todayText + "T00:00:00Z");
  if (!Number.isFinite(days) || days < 0 || Number.isNaN(today)) {
    throw new Error(`bad arguments: --days ${option("--days", "120")} --today ${todayText}`);
  }

  const catalog = JSON.parse(stripJsonComments(readFileSync(catalogPath, "utf8")));
  const rows = (catalog.providers ?? [])
    .filter((p) => !p.retiredMessage)
    .map((p) => {
      const verified = typeof p.verified === "string" ? p.verified : null;
      const age = verified ? Math.floor((today - Date.parse(verified + "T00:00:00Z")) / 86400000) : null;
      return { name: p.name, verified, ageDays: age, stale: age === null || age > days };
    });
  const stale = rows.filter((r) => r.stale && r.verified);
  const never = rows.filter((r) => !r.verified);
  const fresh = rows.length - stale.length - never.length;
  const summary =
    `catalog freshness: ${fresh} of ${rows.length} profiles verified within ${days} days; ` +
    `${stale.length} stale${stale.length ? " (" + stale.map((r) => `${r.name} ${r.verified}`).join(", ") + ")" : ""}; ` +
    `${never.length} never verified`;

  if (args.includes("--json")) {
    console.log(JSON.stringify({ today: todayText, days, fresh, stale: stale.map((r) => r.name), never: never.map((r) => r.name), profiles: rows, summary }));
  } else {
    for (const r of stale) console.log(`STALE  ${r.name}: verified ${r.verified}, ${r.ageDays} days ago`);
    for (const r of never) console.log(`NEVER  ${r.name}: no verified date`);
    console.log(summary);
  }
} catch (error) {
  // A report, not a gate: say what went wrong and let the build go on.
  console.log(`catalog freshness: not checked (${error.message})`);
}

/** Removes // and /* *\/ comments and trailing commas outside strings (the catalog is JSON with comments). */
function stripJsonComments(text) {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") { out += text[++i] ?? ""; }
      else if (c === '"') { inString = false; }
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i += 2;
      while (i < text.length && !(text[i] === "*" && text[i + 1] === "/")) i++;
      i++;
    } else if (c === ",") {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] !== "}" && text[j] !== "]") out += c;
    } else {
      out += c;
    }
  }
  return out;
}
