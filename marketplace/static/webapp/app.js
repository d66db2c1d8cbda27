// The app's start: the service worker, the language, the session and the event stream.
import { api, logout, onLoggedOut, session } from "./api.js";
import { lang, setLang, t } from "./i18n.js";
import { EventStream } from "./stream.js";
import { countdown, factoryView, freshBoard, loginView, smeView, ui } from "./views.js";
import { announceOffers, unlockAudio } from "./alert.js";

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
  $("refresh").hidden = !session.access;
  $("refresh").setAttribute("aria-label", t("refresh"));
  $("refresh").title = t("refresh");
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
    await (me.company.kind === "factory" ? factoryView(main, me) : smeView(main, me));
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
      if (event.type === "offer.created") announceOffers([event.data]);
      // The board follows its events at once; the redraw then reads it again.
      if (event.type === "board.job_added" && event.data?.job) freshBoard.add(event.data.job.id);
      if (event.type === "board.job_removed") {
        freshBoard.delete(event.data?.job_id);
        document.querySelector(`.board-job[data-job='${Number(event.data?.job_id)}']`)?.remove();
      }
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
// Refresh: the button in the bar, or pulling the page down from its top (a swipe of more
// than 80 px; the banner says when letting go will refresh).
window.__refreshes = 0; // how many refreshes were asked for (the browser tests read it)
function refresh() {
  window.__refreshes += 1;
  ui.toast(t("refreshing"));
  ui.rerender();
}
$("refresh").addEventListener("click", refresh);
// A touch's later events go to the element it started on, even once a redraw has taken that
// element out of the page (where they no longer reach the window): so they are heard there.
const PULL = 80;
window.addEventListener(
  "touchstart",
  (e) => {
    if (window.scrollY !== 0 || !session.access || e.touches.length !== 1) return;
    const from = e.touches[0].clientY;
    const target = e.target;
    const pulled = (t) => t.clientY - from;
    const move = (m) => {
      const by = pulled(m.touches[0]);
      $("pull").hidden = by < 20;
      $("pull").textContent = t(by > PULL ? "pull_release" : "pull_more");
    };
    const stop = (end) => {
      target.removeEventListener("touchmove", move);
      target.removeEventListener("touchend", stop);
      target.removeEventListener("touchcancel", stop);
      $("pull").hidden = true;
      if (end.type === "touchend" && pulled(end.changedTouches[0]) > PULL) refresh();
    };
    target.addEventListener("touchmove", move, { passive: true });
    target.addEventListener("touchend", stop);
    target.addEventListener("touchcancel", stop);
  },
  { passive: true },
);
// Sound may play only after a tap: the first one unlocks it.
for (const type of ["pointerdown", "touchstart", "keydown"]) window.addEventListener(type, unlockAudio, { passive: true });
setInterval(() => {
  for (const node of document.querySelectorAll("[data-expires]")) node.textContent = countdown(node.dataset.expires);
}, 1000);
setLang(lang());
ui.rerender();
