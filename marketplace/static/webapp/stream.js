// The company's event stream: a ticket, the WebSocket with after=<last seq>, and on every
// (re)connect a catch-up over GET /events?after= first, so nothing is lost; an event whose
// seq is not above the last one handled is dropped, so nothing is handled twice.
import { api } from "./api.js";

export class EventStream {
  constructor(onEvent, onState) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.socket = null;
    this.closed = false;
    this.delay = 1000;
    this.timer = null;
    this.reconnectSoon = () => this.reconnect(0);
    // A phone that loses its network drops the socket at once (it would otherwise wait for
    // a heartbeat to miss) and catches up when the network is back.
    this.dropped = () => this.drop();
    window.addEventListener("online", this.reconnectSoon);
    window.addEventListener("offline", this.dropped);
  }

  get lastSeq() {
    const value = localStorage.getItem("events:after");
    return value === null ? null : Number(value);
  }

  handle(event) {
    if (typeof event.seq !== "number") return; // a heartbeat
    const last = this.lastSeq;
    if (last !== null && event.seq <= last) return;
    localStorage.setItem("events:after", String(event.seq));
    this.onEvent(event);
  }

  async catchUp() {
    if (this.lastSeq === null) return;
    let path = `/events?after=${this.lastSeq}`;
    while (path) {
      const page = await api("GET", path);
      if (page.offline) return;
      page.results.forEach((event) => this.handle(event));
      const next = page.next && new URL(page.next, location.origin);
      path = next ? next.pathname.replace("/api/v1", "") + next.search : null;
    }
  }

  async connect() {
    if (this.closed) return;
    try {
      await this.catchUp();
      const { ticket } = await api("POST", "/realtime/ticket", {});
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const after = this.lastSeq === null ? "" : `&after=${this.lastSeq}`;
      const socket = new WebSocket(`${scheme}://${location.host}/ws/v1/events?ticket=${encodeURIComponent(ticket)}${after}`);
      this.socket = socket;
      socket.onopen = () => {
        this.delay = 1000;
        this.onState("live");
      };
      socket.onmessage = (message) => {
        const event = JSON.parse(message.data);
        this.handle(event);
        if (typeof event.seq === "number") socket.send(JSON.stringify({ ack: event.seq }));
      };
      socket.onclose = () => {
        if (this.socket === socket) this.reconnect(this.delay);
      };
    } catch {
      this.reconnect(this.delay);
    }
  }

  drop() {
    clearTimeout(this.timer);
    this.onState("offline");
    if (this.socket) {
      const old = this.socket;
      this.socket = null;
      old.close();
    }
  }

  reconnect(delay) {
    if (this.closed) return;
    this.onState("reconnecting");
    clearTimeout(this.timer);
    if (this.socket) {
      const old = this.socket;
      this.socket = null;
      old.close();
    }
    this.timer = setTimeout(() => this.connect(), delay);
    this.delay = Math.min(this.delay * 2, 15000);
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    window.removeEventListener("online", this.reconnectSoon);
    window.removeEventListener("offline", this.dropped);
    if (this.socket) {
      const old = this.socket;
      this.socket = null;
      old.close();
    }
  }
}
