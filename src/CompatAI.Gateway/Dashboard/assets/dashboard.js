// The CompatAI gateway dashboard: polls the management API and draws four panels. No framework, no CDN: uPlot is
// served next to this file. Every number is shown with its unit.
(() => {
  "use strict";
  const POLL_MS = 2000;
  const KEY_STORAGE = "compatai.adminKey";
  const palette = ["#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#0a7ea4", "#6e7781"];
  const $ = (id) => document.getElementById(id);
  const charts = { latency: null, success: null, providers: "" };
  let updates = 0;

  const fmt = {
    int: (n) => Number(n ?? 0).toLocaleString("en-US"),
    req: (n) => `${fmt.int(n)} req`,
    rate: (n) => `${Number(n ?? 0).toFixed(1)} req/min`,
    pct: (r) => (r == null ? "– %" : `${(r * 100).toFixed(1)} %`),
    ms: (v) => (v == null ? "– ms" : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`),
    tok: (n) => `${fmt.int(n)} tok`,
    tps: (v) => (v == null ? "– tok/s" : `${v.toFixed(1)} tok/s`),
    amount: (amount, cur) => cur === "requests" ? `${Math.round(amount)} requests` : `${amount === 0 ? "0" : amount < 0.01 ? amount.toFixed(6) : amount.toFixed(4)} ${cur}`,
    money: (costs) => {
      const entries = Object.entries(costs ?? {});
      if (entries.length === 0) return "0 USD";
      return entries.map(([cur, amount]) => fmt.amount(amount, cur)).join(" + ");
    },
    time: (iso) => new Date(iso).toLocaleTimeString("en-GB", { hour12: false }),
  };

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  async function api(path) {
    const headers = { Accept: "application/json" };
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) headers.Authorization = `Bearer ${key}`;
    const response = await fetch(`../v1/${path}`, { headers, cache: "no-store" });
    if (response.status === 401) throw Object.assign(new Error("admin key needed"), { status: 401 });
    if (!response.ok) {
      let message = `HTTP ${response.status}`;
      try { message = (await response.json()).error.message; } catch { /* keep the status */ }
      throw Object.assign(new Error(message), { status: response.status });
    }
    return response.json();
  }

  function colorOf(name, names) { return palette[names.indexOf(name) % palette.length]; }

  function renderProviders(providers, performance, analytics) {
    const perf = new Map(performance.providers.map((p) => [p.provider, p]));
    const usage = new Map(analytics.providers.map((p) => [p.provider, p]));
    const body = $("providers").tBodies[0];
    body.replaceChildren(...providers.data.map((p) => {
      const hour = perf.get(p.name)?.windows["1h"];
      const quarter = perf.get(p.name)?.windows["15m"];
      const month = usage.get(p.name)?.month;
      const label = el("td", {}, el("strong", {}, p.name), el("span", { class: "reason" },
        [p.displayName ?? p.catalogProvider ?? p.kind, `${p.models.length} model${p.models.length === 1 ? "" : "s"}`].join(" · ")));
      const health = el("td", { "data-field": "health" },
        el("span", { class: `badge ${p.health.state}`, "data-field": "state" }, p.health.state),
        el("span", { class: "reason" }, p.health.breaker ? `breaker ${p.health.breaker} · ${p.health.reason}` : p.health.reason));
      return el("tr", { "data-provider": p.name },
        label,
        health,
        el("td", { "data-field": "requests" }, fmt.req(hour?.attempts ?? 0)),
        el("td", { "data-field": "success-rate" }, fmt.pct(hour?.successRate)),
        el("td", { "data-field": "latency-p95" }, fmt.ms(quarter?.latencyMs.p95)),
        el("td", { "data-field": "cost" }, fmt.money(month?.cost)),
        el("td", {}, p.keyMode));
    }));
  }

  function renderRouting(routing) {
    $("strategy").textContent = routing.strategy;
    $("chains").replaceChildren(...(routing.chains.length === 0
      ? [el("li", { class: "muted" }, "No fallback chain configured (CompatAI:Fallback or CompatAI:Gateway:Chains).")]
      : routing.chains.map((c) => {
        const breaker = c.circuitBreaker?.enabled
          ? ` · breaker opens at ≥ ${(c.circuitBreaker.failureRatio * 100).toFixed(0)} % failures of ≥ ${c.circuitBreaker.minimumThroughput} calls in ${c.circuitBreaker.samplingDurationSeconds} s, for ${c.circuitBreaker.breakDurationSeconds} s`
          : "";
        return el("li", { "data-chain": c.name },
          el("strong", {}, c.name), `: ${c.members.join(" → ")} · current choice: `,
          el("strong", { "data-field": "current-choice" }, c.currentChoice ?? "none healthy"),
          el("span", { class: "reason" }, c.kind + breaker));
      })));
    $("routers").replaceChildren(...(routing.routers ?? []).map((r) => {
      // The score's unit depends on the strategy: an estimated cost, an average latency, or a unitless score.
      const score = (v) => v == null ? "" : r.strategy === "latency" ? ` · ${fmt.ms(v)}`
        : r.strategy === "cost" ? ` · est. ${v.toPrecision(3)} per request` : ` · score ${Number(v.toPrecision(3))}`;
      const weights = r.strategy === "balanced"
        ? ` · weights cost ${r.balancedWeights.cost}, latency ${r.balancedWeights.latency}, quality ${r.balancedWeights.quality}` : "";
      return el("li", { "data-router": r.name },
        el("strong", {}, r.name), ": strategy ", el("strong", { "data-field": "router-strategy" }, r.strategy), weights,
        " · current choice: ", el("strong", { "data-field": "router-choice" }, r.currentChoice ?? (r.candidates.some((c) => c.rank != null) ? "none healthy" : "per request")),
        el("ol", { class: "candidates" }, ...r.candidates.map((c) => el("li", { "data-candidate": c.name },
          `${c.rank == null ? "–" : c.rank}. ${c.name}${c.model ? ` (${c.model})` : ""}${score(c.score)} · `,
          el("span", { class: `badge ${c.health.status}`, "data-field": "candidate-health" }, c.health.status),
          c.excluded ? ` · left out: ${c.excluded}` : ""))));
    }));
    $("decisions").replaceChildren(...(routing.decisions.length === 0
      ? [el("li", { class: "muted" }, "No routed requests yet.")]
      : routing.decisions.slice(0, 20).map((d) => el("li", { "data-field": "decision" },
        `${fmt.time(d.time)} ${d.route} → `, el("strong", {}, d.chosen ?? "failed"), ` in ${fmt.ms(d.latencyMs)}: ${d.reason}`))));
  }

  function renderPerformance(performance) {
    const rows = [];
    for (const s of performance.data) {
      for (const [name, w] of Object.entries(s.windows)) {
        rows.push(el("tr", { "data-series": `${s.provider}/${s.model}`, "data-window": name },
          el("td", {}, `${s.provider}/${s.model}`), el("td", {}, name), el("td", {}, fmt.req(w.attempts)), el("td", {}, fmt.rate(w.requestsPerMinute)),
          el("td", {}, fmt.pct(w.successRate)),
          el("td", {}, `${fmt.ms(w.latencyMs.p50)} / ${fmt.ms(w.latencyMs.p95)} / ${fmt.ms(w.latencyMs.p99)}`),
          el("td", {}, fmt.ms(w.timeToFirstTokenMs.p50)), el("td", {}, fmt.tps(w.outputTokensPerSecond))));
      }
    }
    $("performance").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colSpan: 8, class: "muted" }, "No requests in the last hour."))]));
    drawCharts(performance.providers);
  }

  function drawCharts(providers) {
    if (typeof uPlot === "undefined" || providers.length === 0) return;
    const names = providers.map((p) => p.provider);
    const xs = providers[0].timeline.map((t) => t.timeUnixMs / 1000);
    const latency = [xs, ...providers.map((p) => p.timeline.map((t) => t.latencyP95Ms))];
    const success = [xs, ...providers.map((p) => p.timeline.map((t) => (t.successRate == null ? null : t.successRate * 100)))];
    const key = names.join(",");
    if (charts.providers !== key) {
      charts.latency?.destroy();
      charts.success?.destroy();
      charts.latency = makeChart($("latency-chart"), names, "ms", latency);
      charts.success = makeChart($("success-chart"), names, "%", success, [0, 100]);
      charts.providers = key;
    } else {
      charts.latency.setData(latency);
      charts.success.setData(success);
    }
  }

  function makeChart(target, names, unit, data, range) {
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    const axis = { stroke: dark ? "#8d96a0" : "#5b6570", grid: { stroke: dark ? "#30363d" : "#d9dee4", width: 1 }, ticks: { stroke: dark ? "#30363d" : "#d9dee4" } };
    const opts = {
      width: Math.max(260, target.clientWidth),
      height: 200,
      scales: { x: { time: true }, y: range ? { range } : { auto: true } },
      axes: [axis, { ...axis, values: (u, vals) => vals.map((v) => `${v} ${unit}`), size: 76 }],
      series: [{}, ...names.map((n) => ({ label: n, stroke: colorOf(n, names), width: 2, spanGaps: false, points: { show: true, size: 6 }, value: (u, v) => (v == null ? "–" : `${v.toFixed(1)} ${unit}`) }))],
    };
    const chart = new uPlot(opts, data, target);
    new ResizeObserver(() => chart.setSize({ width: Math.max(260, target.clientWidth), height: 200 })).observe(target);
    return chart;
  }

  function renderCosts(analytics) {
    const byModel = new Map();
    for (const r of analytics.data) {
      const k = `${r.provider}/${r.model}`;
      const acc = byModel.get(k) ?? { provider: r.provider, model: r.model, requests: 0, input: 0, output: 0, day: {}, month: {} };
      acc.requests += r.month.requests; acc.input += r.month.inputTokens; acc.output += r.month.outputTokens;
      for (const [c, v] of Object.entries(r.day.cost)) acc.day[c] = (acc.day[c] ?? 0) + v;
      for (const [c, v] of Object.entries(r.month.cost)) acc.month[c] = (acc.month[c] ?? 0) + v;
      byModel.set(k, acc);
    }
    const rows = [...byModel.entries()].map(([k, a]) => el("tr", { "data-series": k },
      el("td", {}, k, el("span", { class: "reason" }, `${fmt.req(a.requests)} served`)), el("td", {}, `${fmt.tok(a.input)} / ${fmt.tok(a.output)}`),
      el("td", {}, fmt.money(a.day)), el("td", { "data-field": "cost-month" }, fmt.money(a.month))));
    $("costs").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colSpan: 4, class: "muted" }, "Nothing served this month yet."))]));

    $("budgets").replaceChildren(...(analytics.budgets.length === 0
      ? [el("p", { class: "muted" }, "No budgets configured (CompatAI:Gateway:Budgets to enforce, CompatAI:Gateway:Management:MonthlyBudgets to show). Cost shows when responses carry one (provider-reported, or the library's cost tracking).")]
      : analytics.budgets.map((b) => {
        const used = b.limit > 0 ? b.spent / b.limit : 1;
        return el("div", { "data-budget": b.name },
          el("p", { "data-field": "budget" }, `${b.enforced ? `${b.name}, enforced, ` : ""}${b.scope} (${b.window}): ${fmt.amount(b.spent, b.currency)} of ${fmt.amount(b.limit, b.currency)} (${(used * 100).toFixed(1)} %)`),
          el("div", { class: `bar${used > 1 ? " over" : ""}` }, el("span", { style: `width:${Math.min(100, used * 100).toFixed(1)}%` })));
      })));
    const ens = analytics.ensembles;
    $("ensembles").replaceChildren(...(ens.total === 0
      ? [el("span", { class: "muted" }, `No ensemble requests yet. ${ens.note}`)]
      : [el("span", {}, `${fmt.req(ens.total)} in all; latest:`), el("ul", {}, ...ens.recent.slice(0, 5).map((e) =>
        el("li", { "data-field": "ensemble" }, `${fmt.time(e.time)} ${e.provider}: ${e.mode}, winner ${e.winner ?? "none"} of ${e.members ?? "?"} members, in ${fmt.ms(e.latencyMs)}`)))]));
  }

  async function refresh() {
    try {
      const [providers, routing, performance, analytics] = await Promise.all(["providers", "routing", "performance", "analytics"].map(api));
      $("login").hidden = true;
      $("panels").hidden = false;
      renderProviders(providers, performance, analytics);
      renderRouting(routing);
      renderPerformance(performance);
      renderCosts(analytics);
      updates += 1;
      document.body.dataset.updates = String(updates);
      // With replicas sharing state through Redis: every replica's figures, or this replica's only while Redis is down.
      const scope = analytics.figures ? (analytics.figures.scope === "cluster" ? " · all replicas" : " · this replica only (Redis unreachable)") : "";
      $("status").textContent = `live · updated ${fmt.time(providers.generatedAt)}${scope}`;
    } catch (error) {
      if (error.status === 401) {
        sessionStorage.removeItem(KEY_STORAGE);
        $("login").hidden = false;
        $("status").textContent = "admin key needed";
      } else {
        $("status").textContent = `error: ${error.message}`;
      }
    }
  }

  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, $("admin-key").value);
    $("admin-key").value = "";
    refresh();
  });
  $("interval").textContent = String(POLL_MS / 1000);
  refresh();
  setInterval(refresh, POLL_MS);
})();
