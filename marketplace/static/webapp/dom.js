// What every screen is built with: elements from the DOM (never from HTML), the app's hooks
// (error, toast, redraw), an action whose error is shown in the user's language, and forms
// that survive a redraw.
import { lang, statusLabel } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value != null) node.setAttribute(name, value);
  }
  node.append(...children.flat().filter((c) => c != null));
  return node;
}

export const ui = { error: () => {}, toast: () => {}, offline: () => {}, rerender: () => {} };

// Runs an action; its error (the API's message, in the user's language) is shown.
export async function act(fn) {
  ui.error("");
  try {
    await fn();
  } catch (error) {
    // The API's message, and beside it each field's own (a bad sign-up names what is wrong).
    const fields = [];
    const walk = (value, name) => {
      if (Array.isArray(value)) value.forEach((v) => walk(v, name));
      else if (value && typeof value === "object") Object.entries(value).forEach(([k, v]) => walk(v, k));
      else if (value) fields.push(`${name}: ${value}`);
    };
    walk(error.fields || {}, "");
    ui.error([error.message, ...fields].join("\n"));
  }
}

export const status = (code) => h("span", { class: "status", "data-status": code }, statusLabel(code));

// A form being filled in survives the redraw an event causes: the same node is put back, with
// what the person typed, for as long as the user and the language stay the same.
const forms = new Map();
export function kept(name, make) {
  const key = `${name}:${lang()}`;
  if (!forms.has(key)) forms.set(key, make());
  return forms.get(key);
}
export async function keptAsync(name, make) {
  const key = `${name}:${lang()}`;
  if (!forms.has(key)) forms.set(key, await make());
  return forms.get(key);
}

