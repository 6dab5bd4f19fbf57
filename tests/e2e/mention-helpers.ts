// The setting of the mention tests (mentions.test.ts, mentions-push-chain.test.ts): Alice makes a group
// with Bob and Carol, who mute it and close their apps, so that what reaches them comes by push.
import type { Page } from "playwright-core";
import { signUpViaUi, uniqueName } from "./app";
import { createGroupViaUi } from "./group-helpers";
import { DESKTOP, type People } from "./people";
import { PushLine, observerPage } from "./push-helpers";
import { allowPush, turnOnNotificationsViaUi } from "./push-optin-helpers";
import type { ServiceSubscription } from "./push-service-client";
import { waitForServiceWorker } from "./pwa-helpers";

/** A member who receives: their app, a page of their origin that runs no app, their push line. */
export interface Receiver {
  readonly name: string;
  readonly page: Page;
  watch: Page;
  line: PushLine;
}

export interface MutedGroup {
  readonly alice: Page;
  readonly aliceName: string;
  /** The conversation id. */
  readonly group: string;
  readonly bob: Receiver;
  readonly carol: Receiver;
}

/** Signs up a member with notifications allowed (and, given `sub`, PushManager handing it out). */
async function receiver(people: People, baseURL: string, who: string, sub: ServiceSubscription | undefined): Promise<Receiver> {
  const name = uniqueName(who);
  const page = await people.page(who);
  await allowPush(page, baseURL, sub && [sub]);
  await signUpViaUi(page, baseURL, name);
  await waitForServiceWorker(page, 60_000);
  return { name, page, watch: page, line: undefined as unknown as PushLine };
}

/** Opens the group in `r`'s app, mutes it there, then closes the app (no socket: pushes go to the push service) and opens the push line. */
async function muteAndClose(r: Receiver, baseURL: string, group: string, groupName: string): Promise<void> {
  await r.page.goto(`${baseURL}/#/c/${group}`);
  await r.page.getByTestId("chat-title").filter({ hasText: groupName }).waitFor({ timeout: 45_000 });
  await r.page.getByTestId("mute-button").click();
  await r.page.locator('[data-testid="mute-button"][aria-pressed="true"]').waitFor({ timeout: 30_000 });
  await r.page.goto("about:blank");
  r.watch = await r.page.context().newPage();
  await observerPage(r.watch, baseURL);
  r.line = await PushLine.open(r.watch, baseURL);
}

/**
 * Alice (desktop) makes `groupName` with Bob and Carol; each of them mutes it and closes the app. Given
 * `subs` (Bob's, Carol's), each first turns notifications on in Settings with that subscription, so the
 * server pushes to the test push service.
 */
export async function mutedGroup(people: People, baseURL: string, groupName: string, subs?: readonly [ServiceSubscription, ServiceSubscription]): Promise<MutedGroup> {
  const aliceName = uniqueName("alice");
  const alice = await people.page("alice", DESKTOP);
  await signUpViaUi(alice, baseURL, aliceName);
  const bob = await receiver(people, baseURL, "bob", subs?.[0]);
  const carol = await receiver(people, baseURL, "carol", subs?.[1]);
  const group = await createGroupViaUi(alice, groupName, [bob.name, carol.name]);
  for (const r of [bob, carol]) {
    if (subs) await turnOnNotificationsViaUi(r.page, baseURL);
    await muteAndClose(r, baseURL, group, groupName);
  }
  return { alice, aliceName, group, bob, carol };
}
