import { env } from "cloudflare:workers";
import { expect, test } from "vitest";
import { MAX_HISTORY_SHARES, historySharesResponse } from "../../protocol/api.js";
import { encodeHistoryShare } from "../../protocol/history-share.js";
import { GroupRole, MembershipKind } from "../../protocol/membership-log.js";
import { createAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { TestGroup, postGroup, postMembership } from "../support/group.js";
import { api } from "./api.js";
import { logWrite } from "./conversation-rows.js";

/**
 * The bound is usable, not just declared: an add carrying MAX_HISTORY_SHARES shares (a group with that
 * many earlier epochs) is checked and stored in one D1 batch, within D1's 100 bound parameters a statement.
 */
test(`an add with ${MAX_HISTORY_SHARES} history shares is stored whole, and the new member reads them all back`, { timeout: 120_000 }, async () => {
  const [alice, dave] = await Promise.all([createAccount(api, "ba"), createAccount(api, "bd")]);
  const g = new TestGroup();
  const create = await g.createEntry(alice!, [], true);
  expect((await postGroup(api, alice!, create)).status).toBe(201);
  await g.accept(create);
  // The epochs are rows only (the server never opens a bundle to check a share, only its key id).
  const keyIds = Array.from({ length: MAX_HISTORY_SHARES }, () => testCrypto.randomBytes(32));
  await logWrite(g.id, "INSERT INTO epochs (epoch, key_id, bundle, creator_device_id, created_at) VALUES (?, ?, x'00', ?, 0)", keyIds.map((k, epoch) => [epoch, k.slice().buffer, alice!.deviceId]));
  const shares = keyIds.map((keyId, epoch) =>
    encodeHistoryShare({
      conversationId: g.id,
      epoch,
      keyId,
      wrap: { accountId: dave!.accountId, generation: 0, historyKey: dave!.state.history.publicKey, ephemeralKey: testCrypto.randomBytes(32), wrapped: testCrypto.randomBytes(48) },
    }),
  );
  const add = await g.entry(alice!, { kind: MembershipKind.add, accountId: dave!.accountId, role: GroupRole.member });
  const res = await postMembership(api, alice!, g.id, add, shares);
  expect(res.status).toBe(201);
  const got = historySharesResponse.parse(await (await api.call("GET", `/api/conversations/${g.id}/history-shares`, { cookie: dave!.cookie })).json()).shares;
  expect(got).toHaveLength(MAX_HISTORY_SHARES);
});
