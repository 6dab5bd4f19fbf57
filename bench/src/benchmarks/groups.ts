// Figure 5: groups, whose send cost must not grow with size. Protocol level (membership entry, epoch
// bundle, envelope) in Chromium; the network and the server's checks are not included.
import { benchPage, launchBrowser } from "../browser.js";
import type { GroupSamples, GroupTimingParams } from "../core/group-timing.js";
import type { PageApi } from "../page/entry.js";
import type { Benchmark, Figure } from "../result.js";
import { median, round } from "../stats.js";

const params: GroupTimingParams = {
  memberCounts: [2, 100, 1000],
  devicesPerMember: 2,
  runs: { 2: 21, 100: 9, 1000: 5 },
  sendCalls: 100,
  sendRounds: 31,
};

const members = (n: number) => `${n.toLocaleString("en-US")} members × ${params.devicesPerMember} devices`;

function figures(all: readonly GroupSamples[]): Figure[] {
  const out: Figure[] = [];
  for (const g of all) {
    out.push({
      id: `groups.create.${g.members}`,
      label: `New epoch bundle for ${members(g.members)}: time to create (Chromium)`,
      value: round(median(g.createMs)),
      unit: "ms",
      method: `createEpochBundle: ${g.devices} device wraps + ${g.members} history wraps, each an X25519 + HKDF + AES key wrap, then one Ed25519 signature; median of ${g.createMs.length} runs after a warm-up`,
    });
    out.push({
      id: `groups.bytes.${g.members}`,
      label: `New epoch bundle for ${members(g.members)}: size`,
      value: round(g.bundleBytes / 1024),
      unit: "KB",
      method: `${g.bundleBytes.toLocaleString("en-US")} bytes, uploaded once and fetched by every member device (the server's limit is 1 MiB)`,
    });
    if (g.removeMs.length) {
      out.push({
        id: `groups.remove.${g.members}`,
        label: `Removing one member from ${members(g.members)}: signed entry + new bundle for the others (Chromium)`,
        value: round(median(g.removeMs)),
        unit: "ms",
        method: `signMembershipEntry (remove) then createEpochBundle for the ${g.members - 1} remaining members, on the admin's device; median of ${g.removeMs.length} runs. Upload and fan-out not included`,
      });
      out.push({
        id: `groups.remove-verify.${g.members}`,
        label: `Verifying that removal on each member device, ${members(g.members)} (Chromium)`,
        value: round(median(g.verifyRemoveMs)),
        unit: "ms",
        method: `verifyMembershipLog over the create entry naming all ${g.members} members and the remove entry (decode, chain, two Ed25519 verifies, role rules); median of ${g.verifyRemoveMs.length} runs`,
      });
    }
    out.push({
      id: `groups.open.${g.members}`,
      label: `Opening that bundle on one member device, ${members(g.members)} (Chromium)`,
      value: round(median(g.openMs)),
      unit: "ms",
      method: `openEpochBundle: decode, Ed25519 verify, recipient-set checks against the verified view, unwrap, commitment; median of ${g.openMs.length} runs`,
    });
    out.push({
      id: `groups.send.${g.members}`,
      label: `Sending one 100 B message to ${members(g.members)} (Chromium)`,
      value: round(median(g.sendUs)),
      unit: "µs",
      method: `sealEnvelope under the epoch key: one ciphertext of ${g.envelopeBytes} bytes whatever the group size; median of ${g.sendUs.length} rounds of ${params.sendCalls} calls, the group sizes taking turns within each round`,
    });
  }
  const small = all.find((g) => g.members === 2);
  const large = all.find((g) => g.members === 1000);
  if (small && large) {
    out.push({
      id: "groups.send.ratio",
      label: "Send cost at 1,000 members ÷ send cost at 2 members (constant: one ciphertext)",
      // Per round: the sizes take turns within a round, so a round's ratio compares calls made under the same load.
      value: round(median(large.sendUs.map((us, i) => us / (small.sendUs[i] as number)))),
      unit: "×",
      goal: { kind: "at_most", value: 1.2 },
      method: `median over ${large.sendUs.length} rounds of (time per send at 1,000 members ÷ at 2 members in the same round); medians ${round(median(large.sendUs))} µs and ${round(median(small.sendUs))} µs; envelope ${large.envelopeBytes} bytes at 1,000 members and ${small.envelopeBytes} bytes at 2. Goal: the same cost within measurement noise (20%)`,
      ifMissed: {
        why: "sealEnvelope does the same work at every group size (one AES-GCM, one signature, one hash), so a gap this large is measurement noise from a loaded machine, or a regression that made sending depend on the member list.",
        fix: "rerun on an idle machine; if it persists, profile sealEnvelope for work proportional to the membership.",
      },
    });
  }
  return out;
}

export const groupsBenchmark: Benchmark = {
  name: "groups",
  title: "5. Groups: send cost independent of size",
  method:
    "Group membership, adding and removing members are not built yet (no UI, no API): this measures the protocol " +
    "functions a group will use, in Chromium (bundled with esbuild, run in a page through playwright-core). Members " +
    "are verified-looking account states with real X25519 device and history keys (their device logs are not built). " +
    "Removing a member costs exactly a new epoch bundle for the remaining members, so removal time is that bundle's " +
    "creation time; its upload and delivery are not included. Sending is one sealEnvelope under the epoch key at " +
    "every size.",
  async run() {
    const browser = await launchBrowser();
    try {
      const page = await benchPage(browser);
      const samples = await page.evaluate((p) => (globalThis as never as { sealedBench: PageApi }).sealedBench.groups(p), params);
      return {
        figures: figures(samples),
        details: { params, samples },
        notes: [
          "Bundle work is linear in member devices (9 WebCrypto calls per wrap: ephemeral X25519 key from a seed, X25519, HKDF, AES key wrap), done once per epoch by one device; " +
            "messages never grow with the group.",
          "Not included: the server storing and fanning out the bundle, and every device fetching it (group conversations have no API yet).",
        ],
      };
    } finally {
      await browser.close();
    }
  },
};
