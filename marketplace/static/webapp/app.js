// The app's start: the service worker, the language, the session and the event stream.
import { api, logout, onLoggedOut, session } from "./api.js";
import { lang, setLang, t } from "./i18n.js";
import { EventStream } from "./stream.js";
import { countdown, factoryView, loginView, smeView, ui } from "./views.js";

const $ = (id) => document.getElementById(id);
const main = $("main");
const script = $("app-script");
let me = null;
let stream = null;
let rendering = null;
window.__events = []; // what the stream delivered, in order (the browser tests read it)

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(script.dataset.sw, { scope: script.dataset.scope }).catch(() => {});
  // Once a worker controls the page, the shell opens offline.
  navigator.serviceWorker.ready.then(() => {
    if (navigator.serviceWorker.controller) document.body.dataset.sw = "ready";
    else navigator.serviceWorker.addEventListener("controllerchange", () => (document.body.dataset.sw = "ready"));
  });
}

ui.error = (message) => {
  $("error").textContent = message;
  $("error").hidden = !message;
};
ui.toast = (message) => {
  const toast = $("toast");
  toast.textContent = message;
  toast.hidden = false;
  clearTimeout(ui.toastTimer);
  ui.toastTimer = setTimeout(() => (toast.hidden = true), 3000);
};
ui.offline = (offline) => {
  $("offline").textContent = t("offline");
  $("offline").hidden = !offline && navigator.onLine;
};
// One render at a time; a render asked for meanwhile runs once after it.
ui.rerender = () => {
  if (rendering) {
    rendering.again = true;
    return rendering.promise;
  }
  rendering = { again: false };
  rendering.promise = (async () => {
    try {
      do {
        rendering.again = false;
        await render();
      } while (rendering.again);
    } finally {
      rendering = null;
    }
  })();
  return rendering.promise;
};

function chrome() {
  document.title = t("title");
  $("title").textContent = t("title");
  $("lang").textContent = t("lang_other");
  $("logout").textContent = t("logout");
  $("logout").hidden = !session.access;
  $("who").textContent = me ? `${me.company.name}` : "";
}

async function render() {
  chrome();
  if (!session.access) {
    stream?.close();
    stream = null;
    me = null;
    chrome();
    loginView(main, () => ui.rerender());
    return;
  }
  try {
    me = await api("GET", "/me");
    chrome();
    document.body.dataset.kind = me.company.kind;
    await (me.company.kind === "factory" ? factoryView(main) : smeView(main, me));
    startStream();
  } catch (error) {
    if (session.access) ui.error(error.message);
    else await render();
  }
}

const TOASTS = { "board.job_added": "event_board", "offer.created": "event_offer" };

function startStream() {
  if (stream) return;
  stream = new EventStream(
    (event) => {
      window.__events.push(event.seq);
      if (TOASTS[event.type]) ui.toast(t(TOASTS[event.type]));
      if (event.type === "offer.created" && navigator.vibrate) navigator.vibrate([200, 100, 200]);
      ui.rerender();
    },
    (state) => {
      document.body.dataset.stream = state;
      if (state === "live") ui.rerender(); // whatever happened before the socket opened
    },
  );
  stream.connect();
}

onLoggedOut.handler = () => ui.rerender();
$("lang").addEventListener("click", () => {
  setLang(lang() === "zh" ? "en" : "zh");
  ui.rerender();
});
$("logout").addEventListener("click", async () => {
  try {
    await logout();
  } finally {
    stream?.close();
    stream = null;
    ui.rerender();
  }
});
window.addEventListener("online", () => ui.offline(false));
window.addEventListener("offline", () => ui.offline(true));
// Pull to refresh: a downward swipe from the top of the page reloads the screen's data.
let pullFrom = null;
window.addEventListener("touchstart", (e) => (pullFrom = window.scrollY === 0 ? e.touches[0].clientY : null), { passive: true });
window.addEventListener("touchend", (e) => {
  if (pullFrom !== null && e.changedTouches[0].clientY - pullFrom > 80) ui.rerender();
  pullFrom = null;
});
setInterval(() => {
  for (const node of document.querySelectorAll("[data-expires]")) node.textContent = countdown(node.dataset.expires);
}, 1000);
setLang(lang());
ui.rerender();
