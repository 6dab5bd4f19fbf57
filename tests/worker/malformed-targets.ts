import { MAX_SEALED_GROUP_META_BYTES } from "../../protocol/group-meta.js";
import { MAX_ATTACHMENT_CIPHERTEXT_BYTES, createAttachmentResponse, MAX_DEVICE_SECRETS_BYTES, MAX_ENVELOPE_BYTES, MAX_MEMBERSHIP_ENTRY_BYTES, MAX_ENTRY_B64_BYTES, MAX_PASSPHRASE_BLOB_BYTES, MAX_RECOVERY_BLOB_BYTES, MAX_SEALED_NAME_BYTES, MAX_BUNDLE_BYTES } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { MAX_LINK_FRAME_BYTES } from "../../protocol/link.js";
import { READ_STATE_BYTES } from "../../protocol/read-state.js";
import { BUNDLE_BODY_LIMIT, DEFAULT_BODY_LIMIT, MEMBERSHIP_BODY_LIMIT } from "../../worker/http/body-limits.js";
import { createAccount, makeAccount, type LoggedInAccount } from "../support/account.js";
import { makeEnvelope, makeEpochBundle, startConversation } from "../support/conversation.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, genesisDevice, makeDevice, postLogEntry } from "../support/device-log.js";
import { fakeArgon2id } from "../support/fake-argon2id.js";
import { TestGroup, makeGroupEpoch, makeGroupMeta, postGroup } from "../support/group.js";
import { GroupRole, MembershipKind } from "../../protocol/membership-log.js";
import { sealedReadStateOf } from "../support/read-state.js";
import { sealedChatSettingsOf } from "../support/chat-settings.js";
import { MAX_CHAT_SETTINGS_BYTES, MIN_CHAT_SETTINGS_BYTES } from "../../protocol/chat-settings.js";
import { sealedProfileOf } from "../support/profile.js";
import { MAX_PROFILE_BLOB_BYTES, MIN_PROFILE_BLOB_BYTES } from "../../protocol/profile.js";
import { passphraseBlobFor, recoveryBlobFor } from "../support/recovery.js";
import { answeredLink, freshApi, secretsPackage } from "./authz-fixtures.js";
import type { BodyTarget, PathTarget } from "./malformed-cases.js";

/**
 * What the malformed-request suite aims at. The session is alice's; every target is chosen so that her
 * request reaches the body parser, and so that even a body the parser accepted could store nothing: the
 * link was answered by bob (a second answer is 409), blobs and packages are bound to mallory (400 for alice), the
 * real signed structures exist only to be tampered with, and alice has no passphrase to guess.
 */
export interface MalformedWorld {
  readonly alice: LoggedInAccount;
  readonly conversationId: string;
  readonly linkId: string;
  readonly bodies: readonly BodyTarget[];
  readonly paths: readonly PathTarget[];
}

const bytes = (n: number) => toBase64url(testCrypto.randomBytes(n));
const field = (min: number, max: number, randomIsRefused: boolean, real?: Uint8Array) => ({ kind: "bytes", min, max, randomIsRefused, ...(real ? { real } : {}) }) as const;

export async function makeMalformedWorld(): Promise<MalformedWorld> {
  const alice = await createAccount(freshApi, "alice");
  const bob = await createAccount(freshApi, "bob");
  const mallory = await createAccount(freshApi, "mallory");
  const epoch = await startConversation(freshApi, alice, bob);
  const conversationId = epoch.conversationId;
  const { linkId } = await answeredLink(bob);
  const stranger = await makeAccount();
  // A second active device of alice: the recipient her device-secrets puts name, so they reach the parser.
  const second = await makeDevice();
  const addSecond = await addDeviceEntry(accountLog(alice), second, genesisDevice(alice));
  if ((await postLogEntry(freshApi, alice.cookie, alice.accountId, addSecond)).status !== 201) throw new Error("could not add alice's second device");
  const entry = await addDeviceEntry(await addSecond.next(), await makeDevice(), genesisDevice(alice));
  const malloryLog = accountLog(mallory);
  const malloryPackage = await secretsPackage(mallory.accountId, genesisDevice(mallory), await makeDevice(), malloryLog);
  const bundle = await makeEpochBundle(alice, conversationId, [alice, bob], 7);
  const envelope = await makeEnvelope(alice, epoch, "never sent as is");
  // A group alice created (she is its admin), so her membership posts reach the parser; the real
  // entries (a second group's create, an add of bob) are only ever sent tampered.
  const group = new TestGroup();
  const created = await group.createEntry(alice, [mallory]);
  if ((await postGroup(freshApi, alice, created)).status !== 201) throw new Error("alice could not create the group");
  await group.accept(created);
  const addBob = await group.entry(alice, { kind: MembershipKind.add, accountId: bob.accountId, role: GroupRole.member });
  const otherCreate = await new TestGroup().createEntry(alice, [bob]);
  // A name sealed under an epoch the group never got: even untampered it would be refused (unknown_epoch).
  const meta = await makeGroupMeta(alice, await makeGroupEpoch(alice, group, [alice, mallory], 0), "never stored");
  const malloryBlob = await recoveryBlobFor(malloryLog, mallory.keys.recovery, 5);
  const malloryPassphrase = await passphraseBlobFor(malloryLog, fakeArgon2id, "not alice's", mallory.keys.recoveryKey);
  const readState = await sealedReadStateOf(alice, conversationId, 1);
  const chatSettings = await sealedChatSettingsOf(alice, conversationId, 1);
  const profile = await sealedProfileOf(alice);

  // An upload of alice's, so bad part numbers reach the part-number check of her own attachment.
  const upload = await freshApi.call("POST", `/api/conversations/${conversationId}/attachments`, { cookie: alice.cookie, json: { size: 100 } });
  if (upload.status !== 201) throw new Error("alice could not start an upload");
  const attachmentId = createAttachmentResponse.parse(await upload.json()).id;

  const id32 = field(32, 32, true);
  const id16 = field(16, 16, true);
  const bodies: BodyTarget[] = [
    {
      name: "sign-up",
      method: "POST",
      path: "/api/accounts",
      fields: { username: { kind: "username" }, genesis: field(1, MAX_ENTRY_B64_BYTES, true, stranger.genesis) },
      valid: { username: stranger.username, genesis: toBase64url(stranger.genesis) },
      anonymous: "parsed",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "challenge",
      method: "POST",
      path: "/api/session/challenge",
      fields: { accountId: id32, deviceId: id16 },
      valid: { accountId: alice.accountId, deviceId: alice.deviceId },
      anonymous: "parsed",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "login",
      method: "POST",
      path: "/api/session",
      fields: { accountId: id32, deviceId: id16, nonce: field(32, 32, true), expiresAt: { kind: "count" }, signature: field(64, 64, true) },
      valid: { accountId: alice.accountId, deviceId: alice.deviceId, nonce: bytes(32), expiresAt: Date.now() + 60_000, signature: bytes(64) },
      anonymous: "parsed",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "log-append",
      method: "POST",
      path: `/api/accounts/${alice.accountId}/log`,
      fields: { entry: field(1, MAX_ENTRY_B64_BYTES, true, entry.bytes) },
      valid: { entry: entry.b64 },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "device-name",
      method: "PUT",
      path: `/api/devices/${alice.deviceId}/name`,
      // Any bytes of the right size are a valid sealed name, so only malformed ones are generated.
      fields: { sealedName: field(1, MAX_SEALED_NAME_BYTES, false) },
      valid: { sealedName: bytes(40) },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "secrets-put",
      method: "PUT",
      path: `/api/devices/${second.deviceId}/secrets`,
      fields: { package: field(1, MAX_DEVICE_SECRETS_BYTES, true, malloryPackage) },
      valid: { package: toBase64url(malloryPackage) },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "group-create",
      method: "POST",
      path: "/api/groups",
      fields: { entry: field(1, MAX_MEMBERSHIP_ENTRY_BYTES, true, otherCreate.bytes) },
      valid: { entry: otherCreate.b64 },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "membership-append",
      method: "POST",
      path: `/api/conversations/${group.id}/membership`,
      fields: { entry: field(1, MAX_MEMBERSHIP_ENTRY_BYTES, true, addBob.bytes) },
      valid: { entry: addBob.b64 },
      anonymous: "unauthenticated",
      limit: MEMBERSHIP_BODY_LIMIT,
    },
    {
      name: "group-meta",
      method: "PUT",
      path: `/api/conversations/${group.id}/meta`,
      fields: { meta: field(1, MAX_SEALED_GROUP_META_BYTES, true, meta) },
      valid: { meta: toBase64url(meta) },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "read-state-put",
      method: "PUT",
      path: `/api/me/read-state/${conversationId}`,
      // Any READ_STATE_BYTES starting with version 1 are stored (the server cannot open one), so only
      // malformed ones are generated.
      fields: { sealed: field(READ_STATE_BYTES, READ_STATE_BYTES, false) },
      valid: { sealed: toBase64url(readState) },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "chat-settings-put",
      method: "PUT",
      path: `/api/me/chat-settings/${conversationId}`,
      // Random bytes of a bucket size with version 1 would be stored (the server cannot open one), so
      // only malformed ones are generated.
      fields: { sealed: field(MIN_CHAT_SETTINGS_BYTES, MAX_CHAT_SETTINGS_BYTES, false) },
      valid: { sealed: toBase64url(chatSettings) },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "profile-put",
      method: "PUT",
      path: "/api/profile",
      // Random bytes of a bucket size with version 1 would be stored (the server cannot open one), so
      // only malformed ones are generated.
      fields: { sealed: field(MIN_PROFILE_BLOB_BYTES, MAX_PROFILE_BLOB_BYTES, false) },
      valid: { sealed: toBase64url(profile) },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "link-respond",
      method: "POST",
      path: `/api/link/${linkId}/respond`,
      fields: { ephemeralKey: field(32, 32, true) },
      valid: { ephemeralKey: bytes(32) },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "link-frame",
      method: "POST",
      path: `/api/link/${linkId}/frames`,
      fields: { from: { kind: "side" }, frame: field(1, MAX_LINK_FRAME_BYTES, true) },
      valid: { from: "existing", frame: bytes(64) },
      anonymous: "parsed",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "conversation-open",
      method: "POST",
      path: "/api/conversations",
      fields: { peer: id32 },
      valid: { peer: bob.accountId },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "epoch-post",
      method: "POST",
      path: `/api/conversations/${conversationId}/epochs`,
      fields: { bundle: field(1, MAX_BUNDLE_BYTES, true, bundle.bytes) },
      valid: { bundle: toBase64url(bundle.bytes) },
      anonymous: "unauthenticated",
      limit: BUNDLE_BODY_LIMIT,
    },
    {
      name: "message-post",
      method: "POST",
      path: `/api/conversations/${conversationId}/messages`,
      fields: { envelope: field(1, MAX_ENVELOPE_BYTES, true, envelope.bytes) },
      valid: { envelope: envelope.b64 },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "attachment-create",
      method: "POST",
      path: `/api/conversations/${conversationId}/attachments`,
      fields: { size: { kind: "count" } },
      // Within the schema's bound, far over the server's limit (413): even this stores nothing.
      valid: { size: MAX_ATTACHMENT_CIPHERTEXT_BYTES },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "recovery-blob",
      method: "PUT",
      path: "/api/recovery/blob",
      fields: { blob: field(1, MAX_RECOVERY_BLOB_BYTES, true, malloryBlob) },
      valid: { blob: toBase64url(malloryBlob) },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "passphrase-put",
      method: "PUT",
      path: "/api/recovery/passphrase",
      fields: { blob: field(1, MAX_PASSPHRASE_BLOB_BYTES, true, malloryPassphrase.blob), accessToken: field(32, 32, true) },
      valid: { blob: toBase64url(malloryPassphrase.blob), accessToken: toBase64url(malloryPassphrase.accessToken) },
      anonymous: "unauthenticated",
      limit: DEFAULT_BODY_LIMIT,
    },
    {
      name: "passphrase-unlock",
      method: "POST",
      path: `/api/recovery/${alice.username}/passphrase`,
      fields: { accessToken: field(32, 32, true) },
      valid: { accessToken: bytes(32) },
      anonymous: "parsed",
      limit: DEFAULT_BODY_LIMIT,
    },
  ];

  const bad = { entry: "!", sealedName: "!", ephemeralKey: "!", bundle: "!", envelope: "!", accessToken: "!" };
  const paths: PathTarget[] = [
    { method: "GET", path: "/api/users/{}", sessionFirst: true },
    { method: "GET", path: "/api/accounts/{}/log", sessionFirst: true },
    { method: "POST", path: "/api/accounts/{}/log", body: { entry: bad.entry }, sessionFirst: false },
    { method: "PUT", path: "/api/devices/{}/name", body: { sealedName: bad.sealedName }, sessionFirst: true },
    { method: "PUT", path: "/api/devices/{}/secrets", body: { package: "!" }, sessionFirst: true },
    { method: "POST", path: "/api/link/{}/respond", body: { ephemeralKey: bad.ephemeralKey }, sessionFirst: true },
    { method: "POST", path: "/api/link/{}/frames", body: { from: "new", frame: "AA" }, sessionFirst: false },
    { method: "GET", path: "/api/link/{}/frames?from=new", sessionFirst: false },
    { method: "DELETE", path: "/api/link/{}", sessionFirst: false },
    { method: "GET", path: "/api/conversations/{}", sessionFirst: true },
    { method: "POST", path: "/api/conversations/{}/epochs", body: { bundle: bad.bundle }, sessionFirst: true },
    { method: "GET", path: "/api/conversations/{}/epochs", sessionFirst: true },
    { method: "GET", path: "/api/conversations/{}/membership", sessionFirst: true },
    { method: "POST", path: "/api/conversations/{}/membership", body: { entry: bad.entry }, sessionFirst: true },
    { method: "GET", path: "/api/conversations/{}/history-shares", sessionFirst: true },
    { method: "PUT", path: "/api/conversations/{}/meta", body: { meta: "!" }, sessionFirst: true },
    { method: "PUT", path: "/api/me/read-state/{}", body: { sealed: "!" }, sessionFirst: true },
    { method: "PUT", path: "/api/me/chat-settings/{}", body: { sealed: "!" }, sessionFirst: true },
    { method: "PUT", path: "/api/push/mutes/{}", body: { muted: "!" }, sessionFirst: true },
    { method: "POST", path: "/api/conversations/{}/messages", body: { envelope: bad.envelope }, sessionFirst: true },
    { method: "GET", path: "/api/conversations/{}/messages", sessionFirst: true },
    { method: "POST", path: "/api/conversations/{}/attachments", body: { size: 1 }, sessionFirst: true },
    { method: "PUT", path: "/api/attachments/{}/parts/1", sessionFirst: true },
    { method: "PUT", path: `/api/attachments/${attachmentId}/parts/{}`, sessionFirst: true },
    { method: "GET", path: "/api/attachments/{}/upload", sessionFirst: true },
    { method: "POST", path: "/api/attachments/{}/complete", sessionFirst: true },
    { method: "GET", path: "/api/attachments/{}", sessionFirst: true },
    { method: "DELETE", path: "/api/attachments/{}", sessionFirst: true },
    { method: "GET", path: "/api/recovery/{}", sessionFirst: false },
    { method: "POST", path: "/api/recovery/{}/passphrase", body: { accessToken: bad.accessToken }, sessionFirst: false },
  ];
  return { alice, conversationId, linkId, bodies, paths };
}
