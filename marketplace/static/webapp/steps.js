// A share's steps on the phone. The factory's: material received (the count, a photo),
// progress, delivery (the count, pieces lost in the process, what becomes of the leftover
// material, a photo). The SME's: the delivered lot's inspection by its GB/T 2828.1 sampling
// plan (defects per checklist item, photos), then accept, or dispute with a reason.
import { api, uploadPhoto } from "./api.js";
import { act, h, kept, ui } from "./dom.js";
import { lang, t } from "./i18n.js";

// Photos chosen but not yet sent, by slot: they outlive a redraw (an event may redraw the
// screen between choosing a photo and tapping the step).
const chosenPhotos = new Map();

function photoPicker(slot, name, { multiple = false } = {}) {
  const input = h("input", { type: "file", accept: "image/*", capture: "environment", "data-photo": name, multiple });
  const chosen = h("div", { class: "muted", "data-chosen": name });
  const show = () => (chosen.textContent = (chosenPhotos.get(slot) || []).map((f) => f.name).join(", "));
  input.addEventListener("change", () => {
    if (input.files.length) chosenPhotos.set(slot, [...input.files]);
    show();
  });
  show();
  return {
    node: h("div", {}, h("label", {}, t("photo"), input), chosen),
    files: () => chosenPhotos.get(slot) || [],
    clear: () => chosenPhotos.delete(slot),
  };
}

function number(name, value, { min = 0, max } = {}) {
  return h("input", { name, type: "number", inputmode: "numeric", min, max, step: 1, value, required: true });
}

const int = (input) => parseInt(input.value, 10);

function field(key, input) {
  return h("label", {}, t(key), input);
}

// One step: a form with its fields, an optional photo, and the button that posts it.
function stepForm(share, what, { fields = [], body, photoKind, label }) {
  const photo = photoKind ? photoPicker(`${share.id}:${what}`, what) : null;
  const button = h("button", { class: "primary", type: "submit", "data-step": what }, t(label));
  const form = h("form", { class: "step", "data-form": what }, ...fields, photo?.node, button);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      const sent = body();
      for (const file of photo?.files() || []) await uploadPhoto(share.job, share.id, photoKind, file);
      photo?.clear();
      await api("POST", `/assignments/${share.id}/${what}`, sent);
      ui.toast(t("done_toast"));
      ui.rerender();
    });
  });
  return form;
}

function receivedForm(share) {
  const received = number("quantity_received", share.quantity_sent || share.quantity);
  return stepForm(share, "materials-received", {
    fields: [field("quantity_received", received)],
    body: () => ({ quantity_received: int(received) }),
    photoKind: "material_received",
    label: "received",
  });
}

function progressForm(share) {
  const limit = Math.min(share.quantity, share.quantity_received ?? share.quantity);
  const done = number("quantity_done", share.quantity_done || 0, { min: share.quantity_done || 0, max: limit });
  return stepForm(share, "progress", {
    fields: [h("p", { class: "muted", "data-progress": share.id }, `${t("progress")} ${share.quantity_done || 0} / ${limit}`), field("quantity_done", done)],
    body: () => ({ quantity_done: int(done) }),
    label: "report_progress",
  });
}

function deliverForm(share) {
  // A lot rejected at inspection comes back reworked: the same pieces, nothing else to count.
  if (share.quantity_delivered != null) {
    return stepForm(share, "deliver", {
      fields: [h("p", { class: "muted" }, `${t("rework")} · ${share.quantity_delivered}`)],
      body: () => ({ quantity_delivered: share.quantity_delivered }),
      photoKind: "delivery",
      label: "deliver",
    });
  }
  const limit = Math.min(share.quantity, share.quantity_received ?? share.quantity);
  const delivered = number("quantity_delivered", limit, { min: 1, max: limit });
  const lost = number("quantity_lost", 0);
  const leftover = h("select", { name: "leftover" }, h("option", { value: "return" }, t("leftover_return")), h("option", { value: "write_off" }, t("leftover_write_off")));
  return stepForm(share, "deliver", {
    fields: [field("quantity_delivered", delivered), field("quantity_lost", lost), field("leftover", leftover)],
    body: () => ({ quantity_delivered: int(delivered), quantity_lost: int(lost) || 0, leftover: leftover.value }),
    photoKind: "delivery",
    label: "deliver",
  });
}

// The forms a factory's share card shows for its status (kept across redraws while the share
// stays as it is, so what was typed survives an event); a lot sent back for rework shows why,
// and a finished share the verdicts it had.
export function factoryShareSteps(share, inspection) {
  const at = `${share.id}:${share.status}:${share.quantity_done}:${share.delivered_at}`;
  if (share.status === "materials_sent") return [kept(`received:${at}`, () => receivedForm(share))];
  if (share.status === "in_production") {
    // A reworked lot was counted at its first delivery: only its delivery again.
    const progress = share.quantity_delivered == null ? [kept(`progress:${at}`, () => progressForm(share))] : [];
    const verdicts = (inspection?.inspections || []).map(inspectionResult);
    return [...verdicts, ...progress, kept(`deliver:${at}`, () => deliverForm(share))];
  }
  // Accepted or disputed: the verdicts the lot had stay shown.
  return (inspection?.inspections || []).map(inspectionResult);
}

// --- the SME: inspect, accept, dispute --------------------------------------------------

const CLASSES = ["critical", "major", "minor"];

function planNode(inspection) {
  const plan = inspection.plan;
  const rows = CLASSES.filter((c) => plan.classes?.[c]).map((c) => {
    const k = plan.classes[c];
    return h("tr", { "data-class": c, "data-ac": k.ac, "data-re": k.re }, h("td", {}, t(`class_${c}`)), h("td", {}, `AQL ${k.aql}`), h("td", {}, `n=${k.sample_size}`), h("td", {}, `Ac ${k.ac} / Re ${k.re}`));
  });
  return h(
    "div",
    { class: "plan" },
    h("p", { "data-sample-size": plan.sample_size }, `${t("sample")} ${plan.sample_size} / ${plan.lot_size} · ${t(`severity_${inspection.severity}`)}${plan.full_inspection ? ` · ${t("full_inspection")}` : ""}`),
    h("table", {}, ...rows),
  );
}

function inspectForm(share, inspection) {
  const plan = inspection.plan;
  const sample = number("sample_inspected", plan.sample_size, { min: plan.sample_size, max: plan.lot_size });
  const items = inspection.standard?.items || [];
  const counts = items.map((item) => {
    const input = number(`defect.${item.code}`, 0);
    input.dataset.defect = item.code;
    const name = lang() === "zh" ? item.name_zh || item.name : item.name;
    const criterion = lang() === "zh" ? item.criterion_zh || item.criterion : item.criterion;
    return { item, input, node: h("label", {}, `${name} (${t(`class_${item.defect_class}`)})`, h("div", { class: "muted" }, criterion), input) };
  });
  const onReject = h("select", { name: "on_reject" }, h("option", { value: "rework" }, t("on_reject_rework")), h("option", { value: "dispute" }, t("on_reject_dispute")));
  const note = h("input", { name: "note", maxlength: 1000 });
  const photo = photoPicker(`${share.id}:inspection:${share.delivered_at}`, "inspection", { multiple: true });
  const form = h(
    "form",
    { class: "step inspect", "data-form": "inspection" },
    h("h3", {}, t("inspection")),
    planNode(inspection),
    field("sample_inspected", sample),
    ...counts.map((c) => c.node),
    field("on_reject", onReject),
    field("note", note),
    photo.node,
    h("button", { class: "primary", type: "submit", "data-step": "inspect" }, t("record_inspection")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      const defects = Object.fromEntries(counts.filter((c) => int(c.input) > 0).map((c) => [c.item.code, int(c.input)]));
      const photoIds = [];
      for (const file of photo.files()) photoIds.push((await uploadPhoto(share.job, share.id, "inspection", file)).id);
      photo.clear();
      const body = { sample_inspected: int(sample), defects, on_reject: onReject.value, photo_ids: photoIds };
      if (note.value.trim()) body.note = note.value.trim();
      const result = await api("POST", `/assignments/${share.id}/inspection`, body);
      ui.toast(t(result.accepted ? "lot_accepted" : "lot_rejected"));
      ui.rerender();
    });
  });
  return form;
}

function inspectionResult(record) {
  const found = CLASSES.map((c) => `${t(`class_${c}`)} ${record.found?.[c] ?? 0}`).join(" · ");
  const note = record.note ? h("div", { class: "muted" }, record.note) : null;
  return h(
    "div",
    { class: "inspection-result", "data-inspection": record.id, "data-accepted": String(record.accepted) },
    h("strong", {}, `${t("inspection")} #${record.round}: ${t(record.accepted ? "lot_accepted" : "lot_rejected")}`),
    h("div", { class: "muted" }, `${t("sample")} ${record.sample_inspected} · ${found}`),
    note,
  );
}

function acceptForm(share) {
  const delivered = share.quantity_delivered ?? share.quantity;
  const quantity = number("quantity_accepted", delivered, { max: delivered });
  const rating = h("select", { name: "rating" }, ...[5, 4, 3, 2, 1].map((r) => h("option", { value: r }, "★".repeat(r))));
  const form = h("form", { class: "step", "data-form": "accept" }, field("quantity_accepted", quantity), field("rating", rating), h("button", { class: "primary", type: "submit", "data-step": "accept" }, t("accept_delivery")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      await api("POST", `/assignments/${share.id}/accept`, { quantity_accepted: int(quantity), rating: int(rating) });
      ui.toast(t("done_toast"));
      ui.rerender();
    });
  });
  return form;
}

function disputeForm(share) {
  const reason = h("input", { name: "reason", maxlength: 500, required: true });
  const form = h("form", { class: "step", "data-form": "dispute" }, field("dispute_reason", reason), h("button", { class: "secondary", type: "submit", "data-step": "dispute" }, t("dispute")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      await api("POST", `/jobs/${share.job}/dispute`, { reason: reason.value.trim() });
      ui.toast(t("done_toast"));
      ui.rerender();
    });
  });
  return form;
}

// The share's photos (the factory's of the material and the delivery, the SME's own), as
// thumbnails that open the photo; their links are good for minutes, so they are drawn fresh.
function photoStrip(share, photos) {
  const mine = photos.filter((p) => p.assignment === share.id || p.assignment == null);
  if (!mine.length) return null;
  return h(
    "div",
    { class: "photos", "data-photos": share.id },
    ...mine.map((p) => h("a", { href: p.url, target: "_blank", rel: "noopener" }, h("img", { src: p.thumbnail_url, alt: t(`photo_${p.kind}`), title: t(`photo_${p.kind}`), "data-photo-id": p.id, "data-kind": p.kind, width: p.thumbnail_width, height: p.thumbnail_height }))),
  );
}

// What the SME may do with a delivered share: see its photos, inspect it by its plan (while
// not inspected), see each inspection's verdict, accept, or dispute.
export function smeShareActions(share, inspection, photos = []) {
  if (share.status !== "delivered") return inspection?.inspections?.length ? inspection.inspections.map(inspectionResult) : [];
  const at = `${share.id}:${share.delivered_at}`;
  const nodes = [photoStrip(share, photos), ...(inspection?.inspections || []).map(inspectionResult)].filter(Boolean);
  if (inspection?.plan) nodes.push(kept(`inspect:${at}`, () => inspectForm(share, inspection)));
  nodes.push(kept(`accept:${at}`, () => acceptForm(share)), kept(`dispute:${at}`, () => disputeForm(share)));
  return nodes;
}
