// The screens: log in, the SME's (post with a quote, pay, follow jobs), the factory's
// (online, offers, the grab board, its shares' steps). Built with the DOM, never from HTML.
import { all, api, login, session } from "./api.js";
import { act, h, kept, keptAsync, status, ui } from "./dom.js";
import { lang, t, yuan } from "./i18n.js";
import { factoryShareSteps, smeShareActions } from "./steps.js";
import { capacitySection, walletSection } from "./factory.js";

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

// Where material is handed over: latitude and longitude, typed or from the phone's position.
function locationFields() {
  const lat = h("input", { name: "lat", type: "number", step: "any", min: -90, max: 90 });
  const lng = h("input", { name: "lng", type: "number", step: "any", min: -180, max: 180 });
  const here = h("button", { class: "secondary", type: "button", id: "use-location" }, t("use_location"));
  here.addEventListener("click", () => {
    if (!navigator.geolocation) return ui.error(t("no_location"));
    navigator.geolocation.getCurrentPosition(
      (p) => { lat.value = p.coords.latitude.toFixed(6); lng.value = p.coords.longitude.toFixed(6); },
      () => ui.error(t("no_location")),
    );
  });
  const read = () => (lat.value && lng.value ? { lat: Number(lat.value), lng: Number(lng.value) } : {});
  return { nodes: [h("div", { class: "row" }, h("label", { class: "half" }, t("lat"), lat), h("label", { class: "half" }, t("lng"), lng)), here], read };
}

export function signupView(main, done) {
  const field = (name, attrs = {}) => h("label", {}, t(name), h("input", { name, required: true, ...attrs }));
  const where = locationFields();
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
          quoteBox.replaceChildren(
            h("p", {}, `${t("job")} #${job.id} `, status(job.status)),
            h("a", { class: "primary", id: "pay-link", href: job.payment.pay_url }, `${t("pay")} ${yuan(job.payment.amount_fen)}`),
          );
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
    card.append(h("a", { class: "primary", href: job.payment.pay_url }, t("pay")));
  }
  for (const share of job.assignments || []) {
    const row = h("div", { class: "row" }, h("span", {}, share.factory?.name || ""), status(share.status));
    if (share.status === "assigned") {
      row.append(h("button", { class: "secondary", type: "button", "data-step": "materials-sent", onclick: () => act(async () => { await api("POST", `/assignments/${share.id}/materials-sent`, {}); ui.rerender(); }) }, t("materials_sent")));
    }
    card.append(row, h("div", { class: "share-steps", "data-share": share.id }, ...smeShareActions(share, inspections[share.id], photos[job.id])));
  }
  return card;
}

function locationCard() {
  const where = locationFields();
  const form = h("form", { class: "card", id: "location-form" }, h("h2", {}, t("set_location")), h("p", { class: "muted" }, t("location_why")), ...where.nodes, h("button", { class: "primary", type: "submit" }, t("save")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => { await api("PATCH", "/me", { company: where.read() }); ui.rerender(); });
  });
  return form;
}

export async function smeView(main, me) {
  const [processes, jobs] = await Promise.all([all("/processes"), all("/jobs")]);
  ui.offline(Boolean(processes.offline || jobs.offline));
  catalogue = Object.fromEntries(processes.map((p) => [p.code, p]));
  if (me.company.lat == null) return main.replaceChildren(kept(`location:${me.user.id}`, locationCard));
  // Each delivered share's inspection (its sampling plan, what was found so far) and photos.
  const delivered = jobs.flatMap((j) => j.assignments || []).filter((a) => a.status === "delivered");
  const withDelivery = [...new Set(delivered.map((a) => a.job))];
  const [inspections, photos] = await Promise.all([
    Promise.all(delivered.map(async (a) => [a.id, await api("GET", `/assignments/${a.id}/inspection`)])).then(Object.fromEntries),
    Promise.all(withDelivery.map(async (id) => [id, await all(`/jobs/${id}/photos`)])).then(Object.fromEntries),
  ]);
  const list = h("section", { id: "jobs" }, h("h2", {}, t("my_jobs")), ...(jobs.length ? jobs.map((j) => smeJobCard(j, inspections, photos)) : [h("p", { class: "muted" }, t("no_jobs"))]));
  main.replaceChildren(await keptAsync(`post:${me.user.id}`, () => postForm(processes)), list);
}

// --- the factory --------------------------------------------------------------------------

function jobLine(job, extra = []) {
  const name = lang() === "zh" ? job.process_name_zh || job.process_name : job.process_name;
  return [h("strong", {}, `${name} × ${job.quantity}`), h("div", { class: "muted" }, [`${yuan(job.total_fen)}`, ...extra].join(" · "))];
}

function boardCard(job) {
  const accept = h("button", { class: "primary", type: "button", "data-accept": job.id }, t("accept"));
  accept.addEventListener("click", () => act(async () => { await api("POST", `/board/${job.id}/accept`, {}); ui.toast(t("accepted_toast")); ui.rerender(); }));
  return h("div", { class: "card board-job", "data-job": job.id }, ...jobLine(job, [`${t("distance")} ${job.distance_km.toFixed(1)} km`]), accept);
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

// The factory's three tabs: work (online, offers, board, shares), wallet, capacity. Each is
// drawn on every redraw; the chosen one shows.
let factoryTab = "work";
const TABS = { work: "tab_work", wallet: "tab_wallet", capacity: "tab_capacity" };

function tabs(panels) {
  const show = () => {
    for (const [name, panel] of Object.entries(panels)) panel.hidden = name !== factoryTab;
    for (const button of bar.children) button.setAttribute("aria-selected", String(button.dataset.tab === factoryTab));
  };
  const bar = h("nav", { class: "tabs", role: "tablist" }, ...Object.entries(TABS).map(([name, key]) => h("button", { type: "button", role: "tab", "data-tab": name, onclick: () => { factoryTab = name; show(); } }, t(key))));
  show();
  return bar;
}

export async function factoryView(main) {
  const [profile, offers, board, shares, wallet, jobs, processes, settlements, capabilities, quality] = await Promise.all([api("GET", "/factory/profile"), all("/offers"), all("/board"), all("/assignments"), api("GET", "/wallet"), all("/jobs"), all("/processes"), all("/settlements"), all("/factory/capabilities"), all("/factory/quality")]);
  heldJobs = Object.fromEntries(jobs.map((j) => [j.id, j]));
  catalogue = Object.fromEntries(processes.map((p) => [p.code, p]));
  // A lot sent back for rework: its inspection says why.
  const reworked = shares.filter((a) => a.status === "in_production" && a.quantity_delivered != null);
  reworks = Object.fromEntries(await Promise.all(reworked.map(async (a) => [a.id, await api("GET", `/assignments/${a.id}/inspection`)])));
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
    capacity: capacitySection(profile, capabilities, processes, processName, quality),
  };
  main.replaceChildren(tabs(panels), ...Object.values(panels));
}
