import type { ReactiveController, ReactiveControllerHost } from "lit";

/**
 * Keeps a component in step with a client facade that fires "change" (client.push, ...): runs `refresh`
 * when the host connects and on every change, and stops listening when it disconnects. Add it after the
 * host's @consume of the client, so the client is there when the host connects.
 */
export class OnChange implements ReactiveController {
  constructor(
    host: ReactiveControllerHost,
    private readonly target: () => EventTarget,
    private readonly refresh: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.target().addEventListener("change", this.refresh);
    this.refresh();
  }

  hostDisconnected(): void {
    this.target().removeEventListener("change", this.refresh);
  }
}
