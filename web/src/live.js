// The live change stream (SSE, GET /api/v1/events, authenticated by the session cookie). Resumes
// after the last seq it saw (?after=), so a dropped connection or a server restart loses nothing;
// when it cannot resume (no seq seen yet, or a `reset`), it asks the pages to refetch instead.
// State: "connecting" | "live" | "reconnecting".
import { throttle } from "./dom.js";

export class LiveStream {
  constructor() {
    this.state = "connecting";
    this.lastSeq = null;
    this.source = null;
    this.retryMs = 250;
    this.timer = null;
    this.changeListeners = new Set();
    this.stateListeners = new Set();
    this.resyncListeners = new Set();
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }

  onChange(fn) {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }
  onState(fn) {
    this.stateListeners.add(fn);
    fn(this.state);
    return () => this.stateListeners.delete(fn);
  }
  onResync(fn) {
    this.resyncListeners.add(fn);
    return () => this.resyncListeners.delete(fn);
  }
  // For a page that reloads whole: `load` now, then again (at most once per `ms`) after the changes
  // that `wanted` picks and after a resync. Returns the page's teardown.
  reloadOn(wanted, load, ms = 500) {
    const refresh = throttle(load, ms);
    const offChange = this.onChange((c) => wanted(c) && refresh());
    const offResync = this.onResync(refresh);
    load();
    return () => {
      offChange();
      offResync();
      refresh.cancel();
    };
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    for (const fn of this.stateListeners) fn(state);
  }

  open() {
    if (this.stopped) return;
    const url = this.lastSeq == null ? "/api/v1/events" : `/api/v1/events?after=${this.lastSeq}`;
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener("open", () => {
      this.retryMs = 250;
      this.setState("live");
      // Streaming "from now": whatever changed before this moment is fetched, not streamed.
      if (this.lastSeq == null) this.resync();
    });
    source.addEventListener("change", (event) => {
      let change;
      try {
        change = JSON.parse(event.data);
      } catch {
        return;
      }
      if (this.lastSeq != null && change.seq <= this.lastSeq) return;
      this.lastSeq = change.seq;
      for (const fn of this.changeListeners) fn(change);
    });
    source.addEventListener("reset", (event) => {
      try {
        this.lastSeq = JSON.parse(event.data).newest_seq;
      } catch {}
      this.resync();
    });
    source.addEventListener("error", () => {
      // The browser's own retry would resume from Last-Event-ID too, but gives up on an HTTP error
      // (a 503 while the server starts); retrying here covers both, with a short backoff.
      source.close();
      if (this.source !== source || this.stopped) return;
      this.setState("reconnecting");
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 2000);
    });
  }

  resync() {
    for (const fn of this.resyncListeners) fn();
  }
}
