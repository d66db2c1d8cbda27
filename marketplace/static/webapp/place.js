// Where a company is: latitude and longitude from the phone's position (asked for only when
// the person taps the button, so the browser's permission question comes from a tap) or
// typed in, and its address in words. No map: tiles would come from another origin, and
// nothing the app loads may.
import { act, h, ui } from "./dom.js";
import { t } from "./i18n.js";

const fixed = (n) => (n == null ? "" : Number(n).toFixed(6));

export function placeFields(current = {}, { address = true } = {}) {
  const lat = h("input", { name: "lat", type: "number", step: "any", min: -90, max: 90, inputmode: "decimal", value: fixed(current.lat) });
  const lng = h("input", { name: "lng", type: "number", step: "any", min: -180, max: 180, inputmode: "decimal", value: fixed(current.lng) });
  const words = address ? h("input", { name: "address", maxlength: 300, autocomplete: "street-address", value: current.address || "" }) : null;
  const note = h("p", { class: "muted", "data-place-note": "" });
  const here = h("button", { class: "secondary", type: "button", id: "use-location" }, t("use_location"));
  here.addEventListener("click", () => {
    if (!navigator.geolocation) return ui.error(t("no_location"));
    note.textContent = t("locating");
    navigator.geolocation.getCurrentPosition(
      (p) => {
        lat.value = p.coords.latitude.toFixed(6);
        lng.value = p.coords.longitude.toFixed(6);
        note.textContent = `${t("located")} ±${Math.round(p.coords.accuracy)} ${t("metres")}`;
      },
      (error) => {
        note.textContent = "";
        ui.error(t(error.code === 1 ? "location_denied" : "no_location"));
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
    );
  });
  // Both coordinates or neither; an address alone is kept as words.
  const read = () => {
    if (Boolean(lat.value) !== Boolean(lng.value)) throw new Error(t("both_coordinates"));
    const place = lat.value ? { lat: Number(lat.value), lng: Number(lng.value) } : {};
    if (words) place.address = words.value.trim();
    return place;
  };
  const nodes = [
    words ? h("label", {}, t("address"), words) : null,
    h("div", { class: "row" }, h("label", { class: "half" }, t("lat"), lat), h("label", { class: "half" }, t("lng"), lng)),
    h("div", { class: "row" }, here, note),
  ];
  return { nodes, read };
}

// A card that shows where the company is and saves a change (``save`` gets the place).
export function placeCard({ id, title, why, current, save }) {
  const fields = placeFields(current);
  const form = h("form", { class: "card", id }, h("h2", {}, title), why ? h("p", { class: "muted" }, why) : null, ...fields.nodes, h("button", { class: "primary", type: "submit" }, t("save")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      await save(fields.read());
      ui.toast(t("saved"));
      ui.rerender();
    });
  });
  return form;
}
