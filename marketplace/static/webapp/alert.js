// A new offer is announced once: a short chime made with Web Audio (no sound file to load)
// and a vibration where the browser allows. A browser lets a page play sound only after a
// tap, so the first tap on the page unlocks the audio; until then the vibration alone.
let audio = null;

export function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  try {
    audio ??= new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
  } catch {
    audio = null;
  }
}

// Two short rising tones, about a third of a second in all. True when it could play.
function chime() {
  if (!audio || audio.state !== "running") return false;
  const now = audio.currentTime;
  [880, 1320].forEach((frequency, i) => {
    const start = now + i * 0.18;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
    tone.connect(gain).connect(audio.destination);
    tone.start(start);
    tone.stop(start + 0.17);
  });
  return true;
}

const KEY = "alerted-offers";
window.__alerts = []; // each announcement: the offers, whether it sounded, whether it vibrated (the tests read it)

// Announces the pending offers this phone has not announced yet (by event or on a redraw).
export function announceOffers(offers) {
  const seen = new Set(JSON.parse(localStorage.getItem(KEY) || "[]"));
  const fresh = offers.filter((o) => o && o.id != null && (o.status ?? "pending") === "pending" && !seen.has(o.id) && new Date(o.expires_at) > Date.now());
  if (!fresh.length) return;
  const sound = chime();
  let vibrated = false;
  try {
    vibrated = Boolean(navigator.vibrate?.([200, 100, 200]));
  } catch {
    vibrated = false;
  }
  for (const offer of fresh) seen.add(offer.id);
  localStorage.setItem(KEY, JSON.stringify([...seen].slice(-200)));
  window.__alerts.push({ offers: fresh.map((o) => o.id), sound, vibrated });
}
