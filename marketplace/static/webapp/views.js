// The screens: log in, the SME's (post with a quote, pay, follow jobs), the factory's
// (online, offers, the grab board, its shares' steps). Built with the DOM, never from HTML.
import { all, api, login, session } from "./api.js";
import { act, h, kept, keptAsync, status, ui } from "./dom.js";
import { lang, t, yuan } from "./i18n.js";
import { factoryShareSteps, smeShareActions } from "./steps.js";
import { capacitySection, walletSection } from "./factory.js";
import { placeCard, placeFields } from "./place.js";
import { announceOffers } from "./alert.js";
import { isWechatQr, payControl } from "./pay.js";

export { h, ui };

const processName = (p) => (lang() === "zh" ? p.name_zh || p.name : p.name);

export function loginView(main, done) {
  const user = h("input", { name: "username", autocomplete: "username", required: true });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h(
    "form",
    { class: "card", id: "login-form" },
    h("h2", {}, t("login")),
    h("label", {}, t("username"), user),
    h("label", {}, t("password"), pass),
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, t("login")), h("button", { class: "secondary", type: "button", id: "to-signup", onclick: () => signupView(main, done) }, t("signup"))),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      await login(user.value.trim(), pass.value);
      done();
    });
  });
  main.replaceChildren(form);
}

export function signupView(main, done) {
  const field = (name, attrs = {}) => h("label", {}, t(name), h("input", { name, required: true, ...attrs }));
  const where = placeFields({}, { address: false });
  const kind = h("select", { name: "kind" }, h("option", { value: "sme" }, t("kind_sme")), h("option", { value: "factory" }, t("kind_factory")));
  const form = h(
    "form",
    { class: "card", id: "signup-form" },
    h("h2", {}, t("signup")),
    field("username", { autocomplete: "username" }),
    field("password", { type: "password", autocomplete: "new-password" }),
    field("company_name"),
    h("label", {}, t("kind"), kind),
    field("address", { required: false }),
    h("p", { class: "muted" }, t("location_why")),
    ...where.nodes,
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, t("signup")), h("button", { class: "secondary", type: "button", onclick: () => loginView(main, done) }, t("login"))),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const value = (name) => form.querySelector(`[name=${name}]`).value.trim();
    act(async () => {
      const company = { name: value("company_name"), kind: kind.value, ...where.read() };
      if (value("address")) company.address = value("address");
      session.save(await api("POST", "/auth/register", { username: value("username"), password: form.querySelector("[name=password]").value, company }));
      done();
    });
  });
  main.replaceChildren(form);
}

// --- the SME ------------------------------------------------------------------------------

function specField(name, schema, required) {
  const attrs = { name: `spec.${name}`, required };
  let input;
  if (schema.enum) {
    input = h("select", attrs, ...schema.enum.map((v) => h("option", { value: v }, String(v))));
  } else if (schema.type === "integer" || schema.type === "number") {
    input = h("input", { ...attrs, type: "number", min: schema.minimum, max: schema.maximum, step: schema.type === "integer" ? 1 : "any" });
  } else {
    input = h("input", { ...attrs, type: "text", minlength: schema.minLength, maxlength: schema.maxLength });
  }
  input.dataset.type = schema.type || "string";
  return h("label", {}, `${schema.title || name}${required ? ` (${t("required")})` : ""}`, input);
}

function readSpec(form) {
  const spec = {};
  for (const input of form.querySelectorAll("[name^='spec.']")) {
    if (input.value === "") continue;
    const type = input.dataset.type;
    spec[input.name.slice(5)] = type === "integer" ? parseInt(input.value, 10) : type === "number" ? Number(input.value) : input.value;
  }
  return spec;
}

// A local date-time input as ISO 8601 with the phone's offset (the API wants one).
function withOffset(local) {
  const date = new Date(local);
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
}

function inDays(days) {
  const d = new Date(Date.now() + days * 86400000);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

async function postForm(processes) {
  const select = h("select", { name: "process" }, ...processes.map((p) => h("option", { value: p.code }, processName(p))));
  const specBox = h("div", { id: "spec" });
  const quantity = h("input", { name: "quantity", type: "number", min: 1, value: 1000, required: true });
  const deadline = h("input", { name: "deadline", type: "datetime-local", value: inDays(3), required: true });
  const mode = h("select", { name: "mode" }, h("option", { value: "grab" }, t("mode_grab")), h("option", { value: "dispatch" }, t("mode_dispatch")));
  const quoteBox = h("div", { id: "quote" });
  const form = h(
    "form",
    { class: "card", id: "post-form" },
    h("h2", {}, t("post_job")),
    h("label", {}, t("process"), select),
    specBox,
    h("label", {}, t("quantity"), quantity),
    h("label", {}, t("deadline"), deadline),
    h("label", {}, t("mode"), mode),
    h("button", { class: "secondary", type: "submit", id: "get-quote" }, t("get_quote")),
    quoteBox,
  );
  const showSpec = () => {
    const schema = processes.find((p) => p.code === select.value)?.spec_schema || {};
    const required = new Set(schema.required || []);
    specBox.replaceChildren(...Object.entries(schema.properties || {}).map(([n, s]) => specField(n, s, required.has(n))));
    quoteBox.replaceChildren();
  };
  select.addEventListener("change", showSpec);
  showSpec();
  const body = () => ({ process: select.value, quantity: parseInt(quantity.value, 10), spec: readSpec(form), deadline: withOffset(deadline.value) });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      const asked = body();
      const quote = await api("POST", "/jobs/quote", asked);
      const surcharge = quote.urgency_surcharge_bps ? ` · ${t("urgency")} ${(quote.urgency_surcharge_bps / 100).toFixed(0)}%` : "";
      const post = h("button", { class: "primary", type: "button", id: "post-job" }, t("post_and_pay"));
      post.addEventListener("click", () =>
        act(async () => {
          const job = await api("POST", "/jobs", { ...asked, mode: mode.value, unit_price_fen: quote.unit_price_fen });
          // A WeChat Pay QR code is shown on the job below, which follows the job live.
          quoteBox.replaceChildren(
            h("p", {}, `${t("job")} #${job.id} `, status(job.status)),
            isWechatQr(job.payment)
              ? h("p", { class: "muted", id: "pay-below", "data-job": job.id }, t("wechat_below"))
              : h("a", { class: "primary", id: "pay-link", href: job.payment.pay_url }, `${t("pay")} ${yuan(job.payment.amount_fen)}`),
          );
          if (isWechatQr(job.payment)) ui.rerender().then(() => document.querySelector(`.job[data-job='${job.id}'] .wechat-pay`)?.scrollIntoView({ block: "center" }));
        }),
      );
      quoteBox.replaceChildren(
        h("p", { class: "quote", id: "quote-total" }, `${t("total")} ${yuan(quote.total_fen)}`),
        h("p", { class: "muted" }, `${t("unit_price")} ${yuan(quote.unit_price_fen)}${surcharge}`),
        post,
      );
    });
  });
  return form;
}

// A job names its process in English only; the catalogue has both names.
let catalogue = {};
const processLabel = (code, fallback) => (catalogue[code] ? processName(catalogue[code]) : fallback || code);

function smeJobCard(job, inspections, photos) {
  const card = h("div", { class: "card job", "data-job": job.id }, h("div", { class: "row" }, h("strong", {}, `#${job.id} ${processLabel(job.process, job.process_name)}`), status(job.status)), h("div", { class: "muted" }, `${job.quantity} · ${yuan(job.total_fen)}`));
  if (job.status === "awaiting_payment" && job.payment?.pay_url) {
    card.append(payControl(job, t("pay")));
  }
  if (job.status === "awaiting_payment" || (job.status === "open" && !(job.assignments || []).length)) card.append(cancelButton(job));
  for (const share of job.assignments || []) {
    const row = h("div", { class: "row" }, h("span", {}, share.factory?.name || ""), status(share.status));
    if (share.status === "assigned") {
      row.append(h("button", { class: "secondary", type: "button", "data-step": "materials-sent", onclick: () => act(async () => { await api("POST", `/assignments/${share.id}/materials-sent`, {}); ui.rerender(); }) }, t("materials_sent")));
    }
    card.append(row, h("div", { class: "share-steps", "data-share": share.id }, ...smeShareActions(share, inspections[share.id], photos[job.id])));
  }
  return card;
}

const smePlace = (me) =>
  placeCard({ id: "location-form", title: t("set_location"), why: t("location_why"), current: me.company, save: (place) => api("PATCH", "/me", { company: place }) });

// Cancelling takes two taps: the first asks, the second cancels (the escrow is refunded).
function cancelButton(job) {
  const button = h("button", { class: "secondary", type: "button", "data-cancel": job.id }, t("cancel_job"));
  button.addEventListener("click", () => {
    if (button.dataset.armed !== "1") {
      button.dataset.armed = "1";
      button.textContent = t("cancel_confirm");
      return;
    }
    act(async () => { await api("POST", `/jobs/${job.id}/cancel`, {}); ui.toast(t("cancelled_toast")); ui.rerender(); });
  });
  return button;
}

// The SME's money and history: its jobs counted by where they stand, what it paid, what is
// held, released to factories and refunded (GET /jobs/summary), and its finished jobs.
const LIVE = ["open", "assigned", "materials_sent", "in_production", "delivered"];
const FINISHED = ["completed", "disputed", "cancelled", "expired"];
const SME_FIGURES = ["paid_fen", "escrow_fen", "released_fen", "refunded_fen", "refunds_sent_fen"];

function day(iso) {
  return iso ? new Date(iso).toLocaleDateString(lang() === "zh" ? "zh-CN" : "en-GB") : "";
}

function historyCard(job) {
  const paid = job.payment && job.payment.status !== "requires_payment" && job.payment.status !== "failed" ? job.payment.amount_fen : 0;
  const refunded = job.payment?.refunded_fen || 0;
  const shares = (job.assignments || []).filter((a) => a.quantity_accepted != null);
  const accepted = shares.reduce((n, a) => n + a.quantity_accepted, 0);
  return h(
    "div",
    { class: "card history-job", "data-history-job": job.id },
    h("div", { class: "row" }, h("strong", { style: "flex:1" }, `#${job.id} ${processLabel(job.process, job.process_name)} × ${job.quantity}`), status(job.status)),
    h("div", { class: "muted" }, [day(job.updated_at), `${t("paid")} ${yuan(paid)}`, refunded ? `${t("refunded")} ${yuan(refunded)}` : "", shares.length ? `${t("quantity_accepted")} ${accepted}` : ""].filter(Boolean).join(" · ")),
  );
}

function moneySection(summary, jobs) {
  if (!summary) return h("section", { id: "money-tab" }, h("p", { class: "muted" }, t("offline_action")));
  const count = (statuses) => statuses.reduce((n, s) => n + (summary.jobs_by_status?.[s] || 0), 0);
  const counts = [
    ["jobs_live", count(LIVE)],
    ["jobs_completed", count(["completed"])],
    ["jobs_disputed", count(["disputed"])],
    ["jobs_closed", count(["cancelled", "expired"])],
    ["jobs_unpaid", count(["awaiting_payment"])],
  ];
  const finished = jobs.filter((j) => FINISHED.includes(j.status));
  return h(
    "section",
    { id: "money-tab" },
    h(
      "div",
      { class: "card", id: "sme-wallet" },
      h("h2", {}, t("money")),
      ...SME_FIGURES.map((k) => h("div", { class: "row" }, h("span", { style: "flex:1" }, t(`sme_${k}`)), h("strong", { "data-sme-figure": k }, yuan(summary[k] || 0)))),
      h("p", { class: "muted" }, t("money_why")),
    ),
    h("div", { class: "card row", id: "job-counts" }, ...counts.map(([k, n]) => h("span", { class: "count", "data-count": k }, `${t(k)} ${n}`))),
    h("h2", {}, t("history")),
    ...(finished.length ? finished.map(historyCard) : [h("p", { class: "muted", id: "no-history" }, t("no_history"))]),
  );
}

// Inspections of finished shares do not change: each is asked for once, and only when the
// share says it was inspected (its `last_inspection`): one never inspected has no verdict to show.
const finalInspections = new Map();
async function inspectionsOf(shares) {
  return Object.fromEntries(
    await Promise.all(
      shares.map(async (a) => {
        const key = `${a.id}:${a.status}`;
        const read = () => api("GET", `/assignments/${a.id}/inspection`);
        if (a.status === "delivered" || a.status === "in_production") return [a.id, await read()];
        if (a.last_inspection === null) return [a.id, undefined];
        // A verdict that cannot be read now (offline, never read before) is left out, not the screen.
        const verdicts = finalInspections.get(key) ?? (await read().catch(() => undefined));
        if (verdicts && !verdicts.offline) finalInspections.set(key, verdicts);
        return [a.id, verdicts];
      }),
    ),
  );
}
const VERDICT_STATES = ["delivered", "completed", "disputed"];

// The SME's three tabs: its jobs (post one, follow them), its money and history, its place.
let smeTab = "jobs";
const SME_TABS = { jobs: "tab_jobs", money: "tab_money", place: "tab_place" };

export async function smeView(main, me) {
  // (the money tab only says it cannot be read when offline with nothing kept of it)
  const [processes, jobs, summary] = await Promise.all([all("/processes"), all("/jobs"), api("GET", "/jobs/summary").catch(() => null)]);
  ui.offline(Boolean(processes.offline || jobs.offline || !summary || summary.offline));
  catalogue = Object.fromEntries(processes.map((p) => [p.code, p]));
  if (me.company.lat == null) return main.replaceChildren(kept(`location:${me.user.id}`, () => smePlace(me)));
  // Each delivered share's inspection (its sampling plan, what was found so far) and photos;
  // the verdicts stay shown once the share is accepted or disputed.
  const shares = jobs.flatMap((j) => j.assignments || []);
  const delivered = shares.filter((a) => a.status === "delivered");
  const withDelivery = [...new Set(delivered.map((a) => a.job))];
  const [inspections, photos] = await Promise.all([
    inspectionsOf(shares.filter((a) => VERDICT_STATES.includes(a.status))),
    Promise.all(withDelivery.map(async (id) => [id, await all(`/jobs/${id}/photos`)])).then(Object.fromEntries),
  ]);
  const list = h("section", { id: "jobs" }, h("h2", {}, t("my_jobs")), ...(jobs.length ? jobs.map((j) => smeJobCard(j, inspections, photos)) : [h("p", { class: "muted" }, t("no_jobs"))]));
  const place = `${me.company.lat}:${me.company.lng}:${me.company.address}`;
  const post = await keptAsync(`post:${me.user.id}`, () => postForm(processes));
  // The hint to scan the job's QR code goes once the job is paid (the job below says so).
  const hint = post.querySelector("#pay-below");
  const hinted = hint && jobs.find((j) => j.id === Number(hint.dataset.job));
  if (hinted && hinted.status !== "awaiting_payment") post.querySelector("#quote").replaceChildren();
  const panels = {
    jobs: h("div", { id: "jobs-tab" }, post, list),
    money: moneySection(summary, jobs),
    place: h("div", { id: "place-tab" }, kept(`place:${me.user.id}:${place}`, () => smePlace(me))),
  };
  main.replaceChildren(tabs(panels, SME_TABS, () => smeTab, (name) => (smeTab = name)), ...Object.values(panels));
}

// --- the factory --------------------------------------------------------------------------

function jobLine(job, extra = []) {
  const name = lang() === "zh" ? job.process_name_zh || job.process_name : job.process_name;
  return [h("strong", {}, `${name} × ${job.quantity}`), h("div", { class: "muted" }, [`${yuan(job.total_fen)}`, ...extra].join(" · "))];
}

function boardCard(job) {
  const accept = h("button", { class: "primary", type: "button", "data-accept": job.id }, t("accept"));
  accept.addEventListener("click", () => act(async () => { await api("POST", `/board/${job.id}/accept`, {}); ui.toast(t("accepted_toast")); ui.rerender(); }));
  return h("div", { class: freshBoard.has(job.id) ? "card board-job fresh" : "card board-job", "data-job": job.id }, ...jobLine(job, [`${t("distance")} ${job.distance_km.toFixed(1)} km`]), accept);
}

function offerCard(offer) {
  const step = (what) => () => act(async () => { await api("POST", `/offers/${offer.id}/${what}`, {}); ui.toast(t(what === "accept" ? "accepted_toast" : "done_toast")); ui.rerender(); });
  return h(
    "div",
    { class: "card offer", "data-offer": offer.id },
    ...jobLine(offer.job, [`${t("distance")} ${Number(offer.distance_km ?? 0).toFixed(1)} km`]),
    h("p", { class: "countdown", "data-expires": offer.expires_at }, countdown(offer.expires_at)),
    h("div", { class: "row" }, h("button", { class: "primary", type: "button", "data-offer-accept": offer.id, onclick: step("accept") }, t("accept")), h("button", { class: "secondary", type: "button", "data-offer-decline": offer.id, onclick: step("decline") }, t("decline"))),
  );
}

// "expires in 42 s", for an offer card; app.js ticks it every second.
export function countdown(expiresAt) {
  const seconds = Math.max(0, Math.round((new Date(expiresAt) - Date.now()) / 1000));
  return `${t("expires")} ${seconds}${lang() === "zh" ? " 秒" : " s"}`;
}

let heldJobs = {};

// Where the factory is (distances to jobs are from here): its position on the profile, its
// address on the company.
const factoryPlace = (profile, me) =>
  placeCard({
    id: "factory-place",
    title: t("factory_place"),
    why: t("factory_place_why"),
    current: { lat: profile.lat, lng: profile.lng, address: me.company.address },
    save: async ({ address, ...position }) => {
      if (position.lat != null) await api("PATCH", "/factory/profile", position);
      if (address !== (me.company.address || "")) await api("PATCH", "/me", { company: { address } });
    },
  });

// Jobs that arrived on the board while the app was open, marked new until the next start.
export const freshBoard = new Set();

let reworks = {};

function shareCard(share) {
  const job = heldJobs[share.job];
  const name = job ? processLabel(job.process, job.process_name) : "";
  return h(
    "div",
    { class: "card share", "data-share": share.id },
    h("div", { class: "row" }, h("strong", {}, `#${share.job} ${name} × ${share.quantity}`), status(share.status)),
    h("div", { class: "muted" }, yuan(share.amount_fen)),
    ...factoryShareSteps(share, reworks[share.id]),
  );
}

// Tabs: each panel is drawn on every redraw; the chosen one shows.
function tabs(panels, names, current, choose) {
  const show = () => {
    for (const [name, panel] of Object.entries(panels)) panel.hidden = name !== current();
    for (const button of bar.children) button.setAttribute("aria-selected", String(button.dataset.tab === current()));
  };
  const bar = h("nav", { class: "tabs", role: "tablist" }, ...Object.entries(names).map(([name, key]) => h("button", { type: "button", role: "tab", "data-tab": name, onclick: () => { choose(name); show(); } }, t(key))));
  show();
  return bar;
}

// The factory's three tabs: work (online, offers, board, shares), wallet, capacity.
let factoryTab = "work";
const TABS = { work: "tab_work", wallet: "tab_wallet", capacity: "tab_capacity" };

export async function factoryView(main, me) {
  const [profile, offers, board, shares, wallet, jobs, processes, settlements, capabilities, quality] = await Promise.all([api("GET", "/factory/profile"), all("/offers"), all("/board"), all("/assignments"), api("GET", "/wallet"), all("/jobs"), all("/processes"), all("/settlements"), all("/factory/capabilities"), all("/factory/quality")]);
  heldJobs = Object.fromEntries(jobs.map((j) => [j.id, j]));
  catalogue = Object.fromEntries(processes.map((p) => [p.code, p]));
  // A lot sent back for rework: its inspection says why; a finished share keeps its verdicts.
  const judged = shares.filter((a) => (a.status === "in_production" && a.quantity_delivered != null) || a.status === "completed" || a.status === "disputed");
  reworks = await inspectionsOf(judged);
  announceOffers(offers);
  ui.offline([profile, offers, board, shares, wallet, settlements, capabilities].some((d) => d.offline));
  const toggle = h("button", { class: profile.online ? "secondary" : "primary", type: "button", id: "online-toggle" }, profile.online ? t("go_offline") : t("go_online"));
  toggle.addEventListener("click", () => act(async () => { await api("PATCH", "/factory/profile", { online: !profile.online }); ui.rerender(); }));
  const section = (id, title, items, card, empty) => h("section", { id }, h("h2", {}, title), ...(items.length ? items.map(card) : [h("p", { class: "muted" }, t(empty))]));
  const panels = {
    work: h(
      "div",
      { id: "work-tab" },
      h("div", { class: "card row", id: "presence" }, h("strong", { style: "flex:1" }, profile.online ? t("online") : t("offline_state")), toggle),
      section("offers", t("offers"), offers.filter((o) => o.status === "pending"), offerCard, "no_offers"),
      section("board", t("board"), board, boardCard, "no_board"),
      section("shares", t("shares"), shares, shareCard, "no_shares"),
    ),
    wallet: walletSection(wallet, settlements),
    capacity: h(
      "div",
      { id: "capacity-panel" },
      capacitySection(profile, capabilities, processes, processName, quality),
      kept(`factory-place:${profile.lat}:${profile.lng}:${me.company.address}`, () => factoryPlace(profile, me)),
    ),
  };
  main.replaceChildren(tabs(panels, TABS, () => factoryTab, (name) => (factoryTab = name)), ...Object.values(panels));
}
