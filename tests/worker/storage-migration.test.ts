// Issue 22: a deployment whose data was written by the D1 layout (the release before one object per
// conversation) moves to the objects layout without losing or reordering anything. The "before" half runs
// the real app over STORAGE_LAYOUT=d1 (every row in D1, exactly as that release stored it); the "after"
// half is the worker as deployed now. Each conversation moves into its ConversationLog object on first use
// and leaves D1 with only the directory's index.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect, test } from "vitest";
import { conversationListResponse, epochListResponse, historySharesResponse, membershipLogResponse, messageListResponse, postMessageResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { GroupRole, MembershipKind } from "../../protocol/membership-log.js";
import { createApp } from "../../worker/app.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { apiClient, type ApiClient } from "../support/api-client.js";
import { makeEnvelope, postEnvelope, startConversation } from "../support/conversation.js";
import { TestGroup, makeGroupEpoch, makeGroupMeta, makeHistoryShare, postGroup, postMembership, putGroupMeta } from "../support/group.js";
import { ORIGIN, api } from "./api.js";
import { logCount, snapshotLog } from "./conversation-rows.js";
import { closeAllRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

const app = createApp();

/** The app over the D1 layout: what a deployment of the release before issue 22 wrote. */
const d1Api: ApiClient = apiClient(ORIGIN, async (url, init) => {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, init), { ...env, STORAGE_LAYOUT: "d1" }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
});

async function d1Rows(table: string, conversationId: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE conversation_id = ?1`).bind(conversationId).first<{ n: number }>();
  return row?.n ?? 0;
}

async function json<T>(res: Response, schema: { parse(v: unknown): T }): Promise<T> {
  expect(res.status).toBe(200);
  return schema.parse(await res.json());
}

function get(as: LoggedInAccount, path: string): Promise<Response> {
  return api.call("GET", path, { cookie: as.cookie });
}

test("a direct chat and a group written by the D1 layout read back whole from their objects, then go on from where they were", async () => {
  const [alice, bob, carol, dave] = await Promise.all(["ma", "mb", "mc", "md"].map((p) => createAccount(d1Api, p)));
  // Before: a direct chat with 300 messages (more than one page of the move), all in D1.
  const chat = await startConversation(d1Api, alice!, bob!);
  const sent: string[] = [];
  for (let i = 0; i < 300; i++) {
    const envelope = await makeEnvelope(i % 2 ? bob! : alice!, chat, `before ${i}`);
    expect((await postEnvelope(d1Api, i % 2 ? bob! : alice!, chat.conversationId, envelope)).status).toBe(201);
    sent.push(envelope.b64);
  }
  // A group with history for new members: two epochs, a sealed name, Dave added with his history shares.
  const g = new TestGroup();
  const create = await g.createEntry(alice!, [bob!], true);
  expect((await postGroup(d1Api, alice!, create)).status).toBe(201);
  await g.accept(create);
  const epochs = [await makeGroupEpoch(alice!, g, [alice!, bob!], 0), await makeGroupEpoch(alice!, g, [alice!, bob!], 1)];
  for (const e of epochs) expect((await d1Api.call("POST", `/api/conversations/${g.id}/epochs`, { cookie: alice!.cookie, json: { bundle: toBase64url(e.bytes) } })).status).toBe(201);
  expect((await putGroupMeta(d1Api, alice!, g.id, await makeGroupMeta(alice!, epochs[1]!, "Before the move"))).status).toBe(204);
  const add = await g.entry(alice!, { kind: MembershipKind.add, accountId: dave!.accountId, role: GroupRole.member });
  const shares = [await makeHistoryShare(alice!, epochs[0]!, dave!), await makeHistoryShare(alice!, epochs[1]!, dave!)];
  expect((await postMembership(d1Api, alice!, g.id, add, shares)).status).toBe(201);
  await g.accept(add);
  const groupMessage = await makeEnvelope(bob!, epochs[1]!, "in the group, before");
  expect((await postEnvelope(d1Api, bob!, g.id, groupMessage)).status).toBe(201);
  expect(await d1Rows("messages", chat.conversationId)).toBe(300);
  expect(await d1Rows("membership_entries", g.id)).toBe(2);

  // After: the worker as deployed now. The list shows both, with their last seqs.
  const listed = (await json(await get(alice!, "/api/conversations"), conversationListResponse)).conversations;
  expect(listed.map((c) => [c.id, c.lastSeq]).sort()).toEqual([[chat.conversationId, 300], [g.id, 1]].sort());
  const group = listed.find((c) => c.id === g.id);
  expect(group?.kind === "group" ? [group.members.length, group.meta !== null] : undefined).toEqual([3, true]);
  // Every message, in order, byte for byte, across pages.
  const read: string[] = [];
  for (let after = 0, more = true; more; ) {
    const page = await json(await get(bob!, `/api/conversations/${chat.conversationId}/messages?after=${after}&limit=120`), messageListResponse);
    read.push(...page.messages.map((m) => m.envelope));
    expect(page.messages.map((m) => m.seq)).toEqual(page.messages.map((_, i) => after + i + 1));
    after = page.messages.at(-1)?.seq ?? after;
    more = page.more;
  }
  expect(read).toEqual(sent);
  // The group's log, epochs, Dave's shares and the message all moved.
  expect((await json(await get(dave!, `/api/conversations/${g.id}/membership`), membershipLogResponse)).entries).toEqual([create.b64, add.b64]);
  expect((await json(await get(dave!, `/api/conversations/${g.id}/epochs`), epochListResponse)).epochs.map((e) => e.epoch)).toEqual([0, 1]);
  expect((await json(await get(dave!, `/api/conversations/${g.id}/history-shares`), historySharesResponse)).shares).toEqual(shares.map(toBase64url));
  expect((await json(await get(dave!, `/api/conversations/${g.id}/messages`), messageListResponse)).messages.map((m) => m.envelope)).toEqual([groupMessage.b64]);
  // Carol was never a member: still refused.
  expect((await get(carol!, `/api/conversations/${g.id}/messages`)).status).toBe(403);

  // D1 now holds only the directory's rows of both conversations; the objects hold the rest.
  for (const table of ["messages", "epochs", "membership_entries", "group_meta", "history_shares"]) {
    expect([table, await d1Rows(table, chat.conversationId), await d1Rows(table, g.id)]).toEqual([table, 0, 0]);
  }
  expect(await d1Rows("conversation_members", g.id)).toBe(3);
  expect(await logCount(chat.conversationId, "messages")).toBe(300);
  expect(await logCount(g.id, "history_shares")).toBe(2);

  // A retry of a message sent before the move is still a retry; a new one continues the order.
  const retry = await postEnvelope(api, alice!, chat.conversationId, { b64: sent[0]! });
  expect(postMessageResponse.parse(await retry.json())).toEqual({ seq: 1, duplicate: true });
  const next = await postEnvelope(api, alice!, chat.conversationId, await makeEnvelope(alice!, chat, "after the move"));
  expect(postMessageResponse.parse(await next.json())).toEqual({ seq: 301, duplicate: false });
  const afterList = (await json(await get(bob!, "/api/conversations"), conversationListResponse)).conversations;
  expect(afterList.find((c) => c.id === chat.conversationId)?.lastSeq).toBe(301);
}, 120_000);

test("a conversation D1 never knew leaves its object empty: a probe stores nothing", async () => {
  const alice = await createAccount(api, "probe");
  const unknown = "A".repeat(22);
  expect((await get(alice, `/api/conversations/${unknown}/messages`)).status).toBe(404);
  expect(await snapshotLog(unknown)).toEqual({});
});
