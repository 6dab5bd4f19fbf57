import { Workbox } from "workbox-window";

/**
 * The service worker's life from the page (workbox-window). A new version is never swapped in under
 * the user: when a new worker is installed and waiting, `updateReady` turns true ("update" event) and
 * the UI offers "Update"; `applyUpdate` activates it (SKIP_WAITING) and reloads once it controls the page.
 */
export class AppUpdates extends EventTarget {
  updateReady = false;
  private wb: Workbox | undefined;
  private reg: ServiceWorkerRegistration | undefined;
  private applying = false;

  /** Registers /sw.js in production builds (the Vite dev server has no service worker). */
  async register(): Promise<void> {
    if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
    const wb = new Workbox("/sw.js", { scope: "/" });
    this.wb = wb;
    wb.addEventListener("waiting", () => this.ready());
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      // Only a change the user asked for reloads; the first install's clients.claim() must not.
      if (this.applying) location.reload();
    });
    try {
      this.reg = await wb.register({ immediate: true });
    } catch (e) {
      console.warn("service worker registration failed; the app works online only:", e);
      return;
    }
    const reg = this.reg;
    if (!reg) return;
    // workbox-window reports a worker that reaches "waiting" after register(); one that was already
    // installing when the page loaded (the navigation itself found the update) is watched here.
    const watch = (sw: ServiceWorker | null) =>
      sw?.addEventListener("statechange", () => {
        if (sw.state === "installed") this.checkWaiting();
      });
    watch(reg.installing);
    reg.addEventListener("updatefound", () => watch(reg.installing));
    this.checkWaiting();
    // A tab left open for days still learns of new versions.
    setInterval(() => void reg.update().catch(() => undefined), 60 * 60_000);
  }

  /** Asks the server for a newer service worker now (e.g. when the tab regains focus). */
  checkForUpdate(): void {
    void this.reg?.update().catch(() => undefined);
  }

  /** Activates the waiting worker; the page reloads when it takes control. */
  applyUpdate(): void {
    const waiting = this.reg?.waiting;
    if (!waiting) return;
    this.applying = true;
    if (this.wb) this.wb.messageSkipWaiting();
    else waiting.postMessage({ type: "SKIP_WAITING" });
  }

  private checkWaiting(): void {
    // A waiting worker with no controller cannot happen (the first install activates at once); with
    // one, it is a new version.
    if (this.reg?.waiting && navigator.serviceWorker.controller) this.ready();
  }

  private ready(): void {
    if (this.updateReady) return;
    this.updateReady = true;
    this.dispatchEvent(new Event("update"));
  }
}
