import { LINK_TOKEN_HEADER } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { createAccount, logIn, makeAccount, requestNonce, signUp, signedLogin, type TestAccount } from "../support/account.js";
import type { CallOptions } from "../support/api-client.js";
import { GroupRole, MembershipKind } from "../../protocol/membership-log.js";
import { makeEnvelope, makeEpochBundle } from "../support/conversation.js";
import { TestGroup, makeGroupMeta } from "../support/group.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry, revokeEntry } from "../support/device-log.js";
import { openLink, type OpenedLink } from "../support/link-relay.js";
import { sealedReadStateOf } from "../support/read-state.js";
import { sealedChatSettingsOf } from "../support/chat-settings.js";
import { sealedProfileOf } from "../support/profile.js";
import { recoverEntry, recoveryBlobFor, resetEntry } from "../support/recovery.js";
import { ATTACHMENT_BYTES, aliceAttachment, answeredLink, expiredSessionOf, freshApi, secretsPackage, type AuthzFixtures } from "./authz-fixtures.js";
import type { EndpointId, Principal } from "./authz-table.js";

export const FOREIGN_ORIGIN = "https://evil.example";

/** Who sends a cell's request: a cookie (or none), an Origin, and the device the body speaks for. */
export interface Caller {
  readonly principal: Principal;
  readonly cookie: string | undefined;
  readonly origin: string;
  /** For bodies that name the caller's own device (challenge, login); anonymous speaks for the member's. */
  readonly device: TestAccount;
}

/** The caller for `principal`; the expired session is made anew for each cell (see expiredSessionOf). */
export async function callerFor(fx: AuthzFixtures, principal: Principal): Promise<Caller> {
  const own = { principal, origin: freshApi.origin };
  switch (principal) {
    case "anonymous":
      return { ...own, cookie: undefined, device: fx.alice };
    case "otherAccount":
      return { ...own, cookie: fx.mallory.cookie, device: fx.mallory };
    case "revokedDevice":
      return { ...own, cookie: fx.revoked.cookie, device: fx.revoked.device };
    case "expiredSession":
      return { ...own, cookie: await expiredSessionOf(fx.alice), device: fx.alice };
    case "foreignOrigin":
      return { principal, origin: FOREIGN_ORIGIN, cookie: fx.alice.cookie, device: fx.alice };
    case "member":
      return { ...own, cookie: fx.alice.cookie, device: fx.alice };
    case "admin":
      // Only the group rows have an admin: bob, who created the group.
      return { ...own, cookie: fx.bob.cookie, device: fx.bob };
  }
}

/** Sends as `c`: its cookie unless overridden, its Origin, a fresh client address (freshApi). */
function send(c: Caller, method: string, path: string, o: CallOptions = {}): Promise<Response> {
  const cookie = "cookie" in o ? o.cookie : c.cookie;
  return freshApi.call(method, path, { ...o, ...(cookie === undefined ? {} : { cookie }), headers: { Origin: c.origin, ...o.headers } });
}

/**
 * On rows where the link token is the credential: the new device (member) holds this link's token and
 * no cookie, as does the foreign-Origin page; the other account holds another link's token; everyone
 * else sends only what it has (a cookie or nothing).
 */
function withLinkToken(fx: AuthzFixtures, c: Caller, link: OpenedLink): CallOptions {
  switch (c.principal) {
    case "member":
    case "foreignOrigin":
      return { cookie: undefined, headers: { [LINK_TOKEN_HEADER]: link.newToken } };
    case "otherAccount":
      return { headers: { [LINK_TOKEN_HEADER]: fx.otherLink.newToken } };
    default:
      return {};
  }
}

const bytes = (n: number) => toBase64url(testCrypto.randomBytes(n));
/** A P-256 point (RFC 8291's example user agent key) for subscription bodies. */
const P256_EXAMPLE_POINT = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";

type Send = (fx: AuthzFixtures, c: Caller) => Promise<Response>;

/** One request per row of AUTHZ_TABLE: the member's request, sent with the caller's credentials. */
export const AUTHZ_REQUESTS: Record<EndpointId, Send> = {
  health: (_fx, c) => send(c, "GET", "/api/health"),
  "sign-up": async (_fx, c) => {
    const account = await makeAccount();
    return send(c, "POST", "/api/accounts", { json: { username: account.username, genesis: toBase64url(account.genesis) } });
  },
  challenge: (_fx, c) => send(c, "POST", "/api/session/challenge", { json: { accountId: c.device.accountId, deviceId: c.device.deviceId } }),
  login: async (_fx, c) => {
    // A removed device cannot get a nonce (its challenge is 403), so it tries one it made up.
    const nonce = c.principal === "revokedDevice" ? bytes(32) : await requestNonce(freshApi, c.device);
    return send(c, "POST", "/api/session", { json: await signedLogin(freshApi, c.device, nonce) });
  },
  logout: async (fx, c) => {
    // The shared live sessions must outlive this row: those principals log out a throwaway one.
    const throwaway = c.principal === "otherAccount" ? fx.mallory : c.principal === "member" || c.principal === "foreignOrigin" ? fx.alice : undefined;
    const cookie = throwaway ? await logIn(freshApi, throwaway) : c.cookie;
    return send(c, "DELETE", "/api/session", { cookie });
  },
  me: (_fx, c) => send(c, "GET", "/api/me"),
  "username-free": (fx, c) => send(c, "GET", `/api/usernames/${fx.alice.username}`),
  "user-search": (fx, c) => send(c, "GET", `/api/users?username=${fx.alice.username}`),
  "user-by-name": (fx, c) => send(c, "GET", `/api/users/${fx.alice.username}`),
  "log-read": (fx, c) => send(c, "GET", `/api/accounts/${fx.alice.accountId}/log`),
  "log-append": async (fx, c) => {
    const entry = await addDeviceEntry(fx.aliceLog, await makeDevice(), genesisDevice(fx.alice));
    const res = await send(c, "POST", `/api/accounts/${fx.alice.accountId}/log`, { json: { entry: entry.b64 } });
    if (res.status === 201) fx.aliceLog = await entry.next();
    return res;
  },
  "log-append-recover": async (fx, c) => {
    const entry = await recoverEntry(fx.aliceLog, await makeDevice(), fx.alice.keys.recovery);
    const res = await send(c, "POST", `/api/accounts/${fx.alice.accountId}/log`, { json: { entry: entry.b64 } });
    if (res.status === 201) fx.aliceLog = await entry.next();
    return res;
  },
  "log-append-reset": async (fx, c) => {
    // A reset ends every session of the account, so each cell resets an account made for it, with the
    // principal rebuilt on that account.
    const victim = await createAccount(freshApi, "reset");
    let log = accountLog(victim);
    let cookie: string | undefined = c.principal === "otherAccount" ? c.cookie : c.principal === "member" || c.principal === "foreignOrigin" ? victim.cookie : undefined;
    if (c.principal === "expiredSession") cookie = await expiredSessionOf(victim);
    if (c.principal === "revokedDevice") {
      const second = await makeDevice();
      const add = await addDeviceEntry(log, second, genesisDevice(victim));
      if ((await postLogEntry(freshApi, victim.cookie, victim.accountId, add)).status !== 201) throw new Error("could not add the second device");
      log = await add.next();
      cookie = await logIn(freshApi, asDevice(victim, second, log.state));
      const revoke = await revokeEntry(log, second.deviceId, genesisDevice(victim));
      if ((await postLogEntry(freshApi, victim.cookie, victim.accountId, revoke)).status !== 201) throw new Error("could not revoke the second device");
      log = await revoke.next();
    }
    const entry = await resetEntry(log, await makeDevice(), victim.keys.recovery);
    return send(c, "POST", `/api/accounts/${victim.accountId}/log`, { cookie, json: { entry: entry.b64 } });
  },
  devices: (_fx, c) => send(c, "GET", "/api/devices"),
  "device-name": (fx, c) => send(c, "PUT", `/api/devices/${fx.alice.deviceId}/name`, { json: { sealedName: bytes(48) } }),
  "secrets-put": async (fx, c) => {
    const pkg = await secretsPackage(fx.alice.accountId, genesisDevice(fx.alice), fx.third, fx.aliceLog);
    return send(c, "PUT", `/api/devices/${fx.third.deviceId}/secrets`, { json: { package: toBase64url(pkg) } });
  },
  "secrets-get": (_fx, c) => send(c, "GET", "/api/devices/self/secrets"),
  "read-state-put": async (fx, c) => send(c, "PUT", `/api/me/read-state/${fx.epoch.conversationId}`, { json: { sealed: toBase64url(await sealedReadStateOf(fx.alice, fx.epoch.conversationId, 1)) } }),
  "read-state-list": (_fx, c) => send(c, "GET", "/api/me/read-state?after=0"),
  // A fresh revision each call (each matrix cell is a fresh world, but never a stale 409 by chance).
  "chat-settings-put": async (fx, c) => send(c, "PUT", `/api/me/chat-settings/${fx.epoch.conversationId}`, { json: { sealed: toBase64url(await sealedChatSettingsOf(fx.alice, fx.epoch.conversationId, Date.now())) } }),
  "chat-settings-list": (_fx, c) => send(c, "GET", "/api/me/chat-settings?after=0"),
  "profile-put": async (fx, c) => send(c, "PUT", "/api/profile", { json: { sealed: toBase64url(await sealedProfileOf(fx.alice)) } }),
  "profile-get": async (fx, c) => {
    const stored = await freshApi.call("PUT", "/api/profile", { cookie: fx.alice.cookie, json: { sealed: toBase64url(await sealedProfileOf(fx.alice)) } });
    if (stored.status !== 204) throw new Error(`could not store alice's profile: ${stored.status}`);
    return send(c, "GET", `/api/accounts/${fx.alice.accountId}/profile`);
  },
  "push-vapid": (_fx, c) => send(c, "GET", "/api/push/vapid"),
  // A known push service's endpoint: no request here makes the server push to it (only alice posts messages).
  "push-subscription-put": (_fx, c) =>
    send(c, "PUT", "/api/push/subscription", { json: { endpoint: "https://fcm.googleapis.com/fcm/send/authz", keys: { p256dh: P256_EXAMPLE_POINT, auth: bytes(16) } } }),
  "push-subscription-delete": (_fx, c) => send(c, "DELETE", "/api/push/subscription"),
  "push-mute-put": (fx, c) => send(c, "PUT", `/api/push/mutes/${fx.epoch.conversationId}`, { json: { muted: false } }),
  "push-mutes-list": (_fx, c) => send(c, "GET", "/api/push/mutes"),
  "link-open": (_fx, c) => send(c, "POST", "/api/link"),
  "link-respond": async (_fx, c) => {
    const link = await openLink(freshApi);
    return send(c, "POST", `/api/link/${link.linkId}/respond`, { json: { ephemeralKey: bytes(32) } });
  },
  "link-post-existing": async (fx, c) => send(c, "POST", `/api/link/${(await answeredLink(fx.alice)).linkId}/frames`, { json: { from: "existing", frame: bytes(100) } }),
  "link-post-new": async (fx, c) => {
    const link = await answeredLink(fx.alice);
    return send(c, "POST", `/api/link/${link.linkId}/frames`, { ...withLinkToken(fx, c, link), json: { from: "new", frame: bytes(100) } });
  },
  "link-read-new": async (fx, c) => send(c, "GET", `/api/link/${(await answeredLink(fx.alice)).linkId}/frames?from=new&after=0`),
  "link-read-existing": async (fx, c) => {
    const link = await answeredLink(fx.alice);
    return send(c, "GET", `/api/link/${link.linkId}/frames?from=existing&after=0`, withLinkToken(fx, c, link));
  },
  "link-delete-existing": async (fx, c) => send(c, "DELETE", `/api/link/${(await answeredLink(fx.alice)).linkId}`),
  "link-delete-new": async (fx, c) => {
    const link = await answeredLink(fx.alice);
    return send(c, "DELETE", `/api/link/${link.linkId}`, withLinkToken(fx, c, link));
  },
  "conversation-open": async (_fx, c) => {
    const peer = await makeAccount();
    if ((await signUp(freshApi, peer)).status !== 201) throw new Error("the peer could not sign up");
    return send(c, "POST", "/api/conversations", { json: { peer: peer.accountId } });
  },
  conversations: (_fx, c) => send(c, "GET", "/api/conversations"),
  conversation: (fx, c) => send(c, "GET", `/api/conversations/${fx.epoch.conversationId}`),
  "epoch-post": async (fx, c) => {
    const epoch = await makeEpochBundle(fx.alice, fx.epoch.conversationId, [fx.alice, fx.bob], fx.nextEpoch);
    const res = await send(c, "POST", `/api/conversations/${fx.epoch.conversationId}/epochs`, { json: { bundle: toBase64url(epoch.bytes) } });
    // Stored: it is the newest now, so later cells post and seal under it.
    if (res.status === 201) {
      fx.epoch = epoch;
      fx.nextEpoch += 1;
    }
    return res;
  },
  "group-create": async (_fx, c) => {
    const group = new TestGroup();
    return send(c, "POST", "/api/groups", { json: { entry: (await group.createEntry(c.device, [])).b64 } });
  },
  "membership-read": (fx, c) => send(c, "GET", `/api/conversations/${fx.group.id}/membership`),
  "membership-append": async (fx, c) => {
    const newcomer = await makeAccount();
    if ((await signUp(freshApi, newcomer)).status !== 201) throw new Error("the newcomer could not sign up");
    const entry = await fx.group.entry(c.device, { kind: MembershipKind.add, accountId: newcomer.accountId, role: GroupRole.member });
    const res = await send(c, "POST", `/api/conversations/${fx.group.id}/membership`, { json: { entry: entry.b64 } });
    if (res.status === 201) await fx.group.accept(entry);
    return res;
  },
  "history-shares-read": (fx, c) => send(c, "GET", `/api/conversations/${fx.group.id}/history-shares`),
  "group-meta": async (fx, c) => send(c, "PUT", `/api/conversations/${fx.group.id}/meta`, { json: { meta: toBase64url(await makeGroupMeta(c.device, fx.groupEpoch, "matrix")) } }),
  epochs: (fx, c) => send(c, "GET", `/api/conversations/${fx.epoch.conversationId}/epochs`),
  "message-post": async (fx, c) => {
    const envelope = await makeEnvelope(fx.alice, fx.epoch, "matrix");
    return send(c, "POST", `/api/conversations/${fx.epoch.conversationId}/messages`, { json: { envelope: envelope.b64 } });
  },
  messages: (fx, c) => send(c, "GET", `/api/conversations/${fx.epoch.conversationId}/messages?after=0&limit=10`),
  "attachment-create": (fx, c) => send(c, "POST", `/api/conversations/${fx.epoch.conversationId}/attachments`, { json: { size: 10 } }),
  "attachment-part": async (fx, c) => send(c, "PUT", `/api/attachments/${await aliceAttachment(fx, "created")}/parts/1`, { body: ATTACHMENT_BYTES, headers: { "Content-Length": "10" } }),
  "attachment-upload": async (fx, c) => send(c, "GET", `/api/attachments/${await aliceAttachment(fx, "created")}/upload`),
  "attachment-complete": async (fx, c) => send(c, "POST", `/api/attachments/${await aliceAttachment(fx, "uploaded")}/complete`),
  "attachment-download": async (fx, c) => send(c, "GET", `/api/attachments/${await aliceAttachment(fx, "complete")}`),
  "attachment-delete": async (fx, c) => send(c, "DELETE", `/api/attachments/${await aliceAttachment(fx, "complete")}`),
  "recovery-status": (_fx, c) => send(c, "GET", "/api/recovery"),
  "recovery-blob": async (fx, c) => {
    const blob = await recoveryBlobFor(fx.aliceLog, fx.alice.keys.recovery, ++fx.recoveryCounter);
    return send(c, "PUT", "/api/recovery/blob", { json: { blob: toBase64url(blob) } });
  },
  "passphrase-put": (fx, c) => send(c, "PUT", "/api/recovery/passphrase", { json: fx.passphrase }),
  "passphrase-delete": (_fx, c) => send(c, "DELETE", "/api/recovery/passphrase"),
  "recovery-lookup": (fx, c) => send(c, "GET", `/api/recovery/${fx.alice.username}`),
  "passphrase-unlock": async (fx, c) => {
    // The passphrase-delete row removes it: store it again so this row is independent of order.
    const put = await freshApi.call("PUT", "/api/recovery/passphrase", { cookie: fx.alice.cookie, json: fx.passphrase });
    if (put.status !== 204) throw new Error(`could not store the passphrase: ${put.status}`);
    return send(c, "POST", `/api/recovery/${fx.alice.username}/passphrase`, { json: { accessToken: fx.passphrase.accessToken } });
  },
  realtime: async (_fx, c) => {
    const res = await send(c, "GET", "/api/realtime", { headers: { Upgrade: "websocket" } });
    if (res.webSocket) {
      res.webSocket.accept();
      res.webSocket.close(1000, "matrix cell done");
    }
    return res;
  },
};

