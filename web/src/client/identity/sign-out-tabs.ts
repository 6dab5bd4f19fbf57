/**
 * Signing out reaches every open tab of this browser (issue 21): they share the keys and the store, so
 * none may keep showing the history. A BroadcastChannel carries three signals, in order:
 * "signing-out" (stop syncing now: the server is about to end this device, and a tab that noticed that on
 * its own would take it for a removal), then "signed-out" once the store is deleted (reload: nothing of
 * the account is left, so the app opens on the welcome screen), or "sign-out-failed" (nothing changed:
 * carry on). A tab never hears its own posts.
 */
export type SignOutSignal = "signing-out" | "signed-out" | "sign-out-failed";

const CHANNEL = "sealed-sign-out";
const SIGNALS: readonly string[] = ["signing-out", "signed-out", "sign-out-failed"] satisfies SignOutSignal[];

export class SignOutTabs {
  private readonly channel: BroadcastChannel | undefined = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : undefined;

  constructor(onSignal: (s: SignOutSignal) => void) {
    // Node (the headless client) has BroadcastChannel too, and an open one would keep its process alive.
    (this.channel as { unref?: () => void } | undefined)?.unref?.();
    // Only this origin's tabs can post here; still, anything but the three signals is ignored.
    this.channel?.addEventListener("message", (e: MessageEvent<unknown>) => {
      if (typeof e.data === "string" && SIGNALS.includes(e.data)) onSignal(e.data as SignOutSignal);
    });
  }

  post(s: SignOutSignal): void {
    this.channel?.postMessage(s);
  }
}
