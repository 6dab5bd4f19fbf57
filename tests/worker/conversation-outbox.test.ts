// Issue 22: what a conversation object must tell D1 (the directory's index of a group's members) goes
// through its outbox, stored with the change. When D1 refuses, the change stays stored and the alarm
// retries until D1 takes it; nothing is lost and the index catches up.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect, test } from "vitest";
import { createAccount, makeAccount, signUp, uniqueUsername } from "../support/account.js";
import { TestGroup, postGroup } from "../support/group.js";
import { api } from "./api.js";
import { closeAllRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

async function indexedMembers(id: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT account_id FROM conversation_members WHERE conversation_id = ?1 ORDER BY account_id").bind(id).all<{ account_id: string }>();
  return results.map((r) => r.account_id);
}

test("an index update D1 refuses stays in the outbox, the alarm retries it, and it lands once D1 can take it", async () => {
  const [alice, bob] = await Promise.all([createAccount(api, "oa"), createAccount(api, "ob")]);
  const g = new TestGroup();
  const create = await g.createEntry(alice!, [bob!]);
  expect((await postGroup(api, alice!, create)).status).toBe(201);
  expect(await indexedMembers(g.id)).toEqual([alice!.accountId, bob!.accountId].sort());

  // An op naming an account D1 does not have yet: the member row's foreign key makes D1 refuse it.
  const late = await makeAccount(uniqueUsername("late"));
  const members = [alice!.accountId, bob!.accountId, late.accountId].sort();
  const stub = env.CONVERSATION_LOG.get(env.CONVERSATION_LOG.idFromName(g.id));
  await runInDurableObject(stub, (_o, state) => {
    state.storage.sql.exec("INSERT INTO outbox (op) VALUES (?)", JSON.stringify({ t: "group_index", id: g.id, createdAt: 1, members }));
  });
  expect(await runDurableObjectAlarm(stub)).toBe(false);
  await stub.readMembership(g.id);
  // The object's own flush tried and failed: the op waits and an alarm is set.
  const pending = () => runInDurableObject(stub, async (_o, state) => ({ ops: state.storage.sql.exec("SELECT COUNT(*) AS n FROM outbox").one()["n"], alarm: await state.storage.getAlarm() }));
  await runInDurableObject(stub, async (o) => {
    await (o as unknown as { flush(): Promise<void> }).flush();
  });
  const stuck = await pending();
  expect(stuck.ops).toBe(1);
  expect(stuck.alarm).not.toBeNull();
  expect(await indexedMembers(g.id)).toEqual([alice!.accountId, bob!.accountId].sort());

  // Once the account exists, the alarm applies the op and empties the outbox.
  expect((await signUp(api, late)).status).toBe(201);
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  expect((await pending()).ops).toBe(0);
  expect(await indexedMembers(g.id)).toEqual(members);
});
