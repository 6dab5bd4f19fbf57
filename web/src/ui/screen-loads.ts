// Loading the screens kept out of the app shell (web/src/ui/screens.ts), once each; no rendering here.
/** Loads the module of a screen kept out of the app shell (docs/decisions.md "Screens loaded on demand"). */
export type ScreenLoader = () => Promise<unknown>;

const loads = new Map<ScreenLoader, Promise<unknown>>();
const loaded = new Set<ScreenLoader>();
const failed = new Set<ScreenLoader>();

/**
 * Loads a screen's module once: every caller shares the same promise. A failed load (offline before the
 * service worker saved the chunk) is forgotten, so the next call tries again.
 */
export function loadScreen(loader: ScreenLoader): Promise<unknown> {
  let load = loads.get(loader);
  if (!load) {
    failed.delete(loader);
    load = loader().then(
      () => void loaded.add(loader),
      (e: unknown) => {
        loads.delete(loader);
        failed.add(loader);
        throw e;
      },
    );
    loads.set(loader, load);
  }
  return load;
}

/** Whether the screen's module has loaded (its elements are defined). */
export function isLoaded(loader: ScreenLoader): boolean {
  return loaded.has(loader);
}

/** Whether the last load failed and nobody asked to try again since. */
export function hasFailed(loader: ScreenLoader): boolean {
  return failed.has(loader);
}

/** Clears a failure, so the next render loads the screen again. */
export function retryLater(loader: ScreenLoader): void {
  failed.delete(loader);
}
