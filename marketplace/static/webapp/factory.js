// The factory's money and means: its wallet and settlement batches with each line's payout
// (confirming a WeChat transfer when the rail asks the payee to), and its service radius and
// capabilities (process, price, daily capacity, minimum order, lead time), edited in place.
import { api } from "./api.js";
import { act, h, kept, status, ui } from "./dom.js";
import { lang, t, yuan } from "./i18n.js";

const FIGURES = ["escrow_fen", "payable_fen", "in_transit_fen", "paid_out_fen"];

function when(iso) {
  return iso ? new Date(iso).toLocaleString(lang() === "zh" ? "zh-CN" : "en-GB", { dateStyle: "short", timeStyle: "short" }) : "";
}

// WeChat Pay's 商家转账: inside WeChat the app hands the confirmation to WeChat; anywhere
// else the payee confirms in WeChat and comes back. Either way the line is then checked now.
function confirmTransfer(line) {
  const bridge = window.WeixinJSBridge;
  const check = () => act(async () => {
    const checked = await api("POST", `/settlement-lines/${line.id}/refresh`, {});
    ui.toast(checked.payout_status === "paid" ? t("payout_paid") : t("payout_pending"));
    ui.rerender();
  });
  if (!bridge || !line.confirmation) return check();
  const { mch_id: mchId, app_id: appId, package_info: packageInfo } = line.confirmation;
  bridge.invoke("requestMerchantTransfer", { mchId, appId, package: packageInfo }, () => check());
}

function lineRow(line) {
  const row = h(
    "div",
    { class: "row line", "data-line": line.id },
    h("span", { style: "flex:1" }, `${t("share")} #${line.assignment}`),
    h("strong", {}, yuan(line.amount_fen)),
    status(line.payout_status),
  );
  if (line.payout_status === "awaiting_confirmation") {
    const by = line.confirmation?.confirm_by ? ` ${t("confirm_by")} ${when(line.confirmation.confirm_by)}` : "";
    row.append(
      h("p", { class: "muted" }, `${window.WeixinJSBridge ? "" : t("confirm_in_wechat")}${by}`),
      h("button", { class: "primary", type: "button", "data-confirm": line.id, onclick: () => confirmTransfer(line) }, t(window.WeixinJSBridge ? "confirm_transfer" : "confirmed_check")),
    );
  }
  return row;
}

function batchCard(batch) {
  return h(
    "div",
    { class: "card batch", "data-batch": batch.id },
    h("div", { class: "row" }, h("strong", { style: "flex:1" }, `${t("batch")} #${batch.id} · ${yuan(batch.total_fen)}`), status(batch.status)),
    h("div", { class: "muted" }, [when(batch.created_at), batch.paid_at ? `${t("paid_at")} ${when(batch.paid_at)}` : "", batch.reason].filter(Boolean).join(" · ")),
    ...(batch.lines || []).map(lineRow),
  );
}

export function walletSection(wallet, settlements) {
  return h(
    "section",
    { id: "wallet-tab" },
    h(
      "div",
      { class: "card", id: "wallet" },
      h("h2", {}, t("wallet")),
      ...FIGURES.map((k) => h("div", { class: "row" }, h("span", { style: "flex:1" }, t(k)), h("strong", { "data-figure": k }, yuan(wallet[k])))),
    ),
    h("h2", {}, t("settlements")),
    ...(settlements.length ? settlements.map(batchCard) : [h("p", { class: "muted", id: "no-settlements" }, t("no_settlements"))]),
  );
}

// --- capacity and capabilities ------------------------------------------------------------

const fen = (input) => Math.round(Number(input.value) * 100);

function capabilityFields(capability = {}) {
  const input = (name, value, attrs = {}) => h("input", { name, type: "number", required: true, min: 0, step: 1, value, ...attrs });
  const fields = {
    unit_price: input("unit_price", capability.unit_price_fen != null ? (capability.unit_price_fen / 100).toFixed(2) : "", { step: "0.01", min: "0.01", inputmode: "decimal" }),
    daily_capacity: input("daily_capacity", capability.daily_capacity ?? "", { min: 1 }),
    min_quantity: input("min_quantity", capability.min_quantity ?? 1, { min: 1 }),
    lead_time_days: input("lead_time_days", capability.lead_time_days ?? 0, { max: 90 }),
  };
  const nodes = [
    h("div", { class: "row" }, h("label", { class: "half" }, t("unit_price_yuan"), fields.unit_price), h("label", { class: "half" }, t("daily_capacity"), fields.daily_capacity)),
    h("div", { class: "row" }, h("label", { class: "half" }, t("min_quantity"), fields.min_quantity), h("label", { class: "half" }, t("lead_time_days"), fields.lead_time_days)),
  ];
  const read = () => ({
    unit_price_fen: fen(fields.unit_price),
    daily_capacity: parseInt(fields.daily_capacity.value, 10),
    min_quantity: parseInt(fields.min_quantity.value, 10),
    lead_time_days: parseInt(fields.lead_time_days.value, 10),
  });
  return { nodes, read };
}

function capabilityForm(capability, name) {
  const fields = capabilityFields(capability);
  const remove = h("button", { class: "secondary", type: "button", "data-delete": capability.id }, t("delete"));
  remove.addEventListener("click", () => act(async () => { await api("DELETE", `/factory/capabilities/${capability.id}`); ui.toast(t("done_toast")); ui.rerender(); }));
  const form = h("form", { class: "card capability", "data-capability": capability.process }, h("strong", {}, name), ...fields.nodes, h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, t("save")), remove));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => { await api("PATCH", `/factory/capabilities/${capability.id}`, fields.read()); ui.toast(t("saved")); ui.rerender(); });
  });
  return form;
}

function newCapabilityForm(processes, processName) {
  const select = h("select", { name: "process" }, ...processes.map((p) => h("option", { value: p.code }, processName(p))));
  const fields = capabilityFields();
  const form = h("form", { class: "card", id: "new-capability" }, h("h3", {}, t("add_capability")), h("label", {}, t("process"), select), ...fields.nodes, h("button", { class: "primary", type: "submit" }, t("add")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => { await api("POST", "/factory/capabilities", { process: select.value, ...fields.read() }); ui.toast(t("saved")); ui.rerender(); });
  });
  return form;
}

function radiusForm(profile) {
  const radius = h("input", { name: "service_radius_km", type: "number", min: 1, max: 500, step: 1, value: profile.service_radius_km, required: true });
  const form = h("form", { class: "card", id: "radius-form" }, h("label", {}, t("service_radius_km"), radius), h("button", { class: "primary", type: "submit" }, t("save")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => { await api("PATCH", "/factory/profile", { service_radius_km: parseInt(radius.value, 10) }); ui.toast(t("saved")); ui.rerender(); });
  });
  return form;
}

// Its quality per process from inspected lots: where the sampling's switching rules stand.
function qualityCard(quality, processLabel) {
  if (!quality.length) return null;
  const rate = (q) => (q.first_pass_rate == null ? "—" : `${Math.round(q.first_pass_rate * 100)}%`);
  return h(
    "div",
    { class: "card", id: "quality" },
    h("h3", {}, t("quality")),
    ...quality.map((q) =>
      h("div", { class: "row quality", "data-quality": q.process }, h("strong", {}, processLabel(q.process)), h("span", {}, `${t("first_pass")} ${rate(q)} · ${q.lots_accepted}/${q.lots}`), h("span", { class: "status" }, q.discontinued ? t("discontinued") : t(`severity_${q.severity}`))),
    ),
  );
}

export function capacitySection(profile, capabilities, processes, processName, quality = []) {
  const byCode = Object.fromEntries(processes.map((p) => [p.code, p]));
  const stamp = (c) => `${c.id}:${c.unit_price_fen}:${c.daily_capacity}:${c.min_quantity}:${c.lead_time_days}`;
  const missing = processes.filter((p) => !capabilities.some((c) => c.process === p.code));
  return h(
    "section",
    { id: "capacity-tab" },
    h("h2", {}, t("capacity")),
    qualityCard(quality, (code) => (byCode[code] ? processName(byCode[code]) : code)),
    kept(`radius:${profile.service_radius_km}`, () => radiusForm(profile)),
    ...capabilities.map((c) => kept(`capability:${stamp(c)}`, () => capabilityForm(c, byCode[c.process] ? processName(byCode[c.process]) : c.process))),
    missing.length ? kept(`new-capability:${missing.map((p) => p.code).join(",")}`, () => newCapabilityForm(missing, processName)) : null,
  );
}
