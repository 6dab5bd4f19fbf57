import { appShellBenchmark } from "./benchmarks/app-shell.js";
import { attachmentPreviewBenchmark } from "./benchmarks/attachment-preview.js";
import { attachmentTransferBenchmark } from "./benchmarks/attachment-transfer.js";
import { attachmentsBenchmark } from "./benchmarks/attachments.js";
import { cryptoBenchmark } from "./benchmarks/crypto.js";
import { groupsBenchmark } from "./benchmarks/groups.js";
import { historyBenchmark } from "./benchmarks/history.js";
import { latencyBenchmark } from "./benchmarks/latency.js";
import { layoutBenchmark } from "./benchmarks/layout.js";
import { pushNotifyBenchmark } from "./benchmarks/push-notify.js";
import { pushSendBenchmark } from "./benchmarks/push-send.js";
import { richBenchmark } from "./benchmarks/rich.js";
import { searchBenchmark } from "./benchmarks/search.js";
import { unlockBenchmark } from "./benchmarks/unlock.js";
import type { Benchmark } from "./result.js";

/** Every benchmark, in the order `npm run bench` runs them (the CPU-only ones first). */
export const benchmarks: readonly Benchmark[] = [cryptoBenchmark, groupsBenchmark, unlockBenchmark, appShellBenchmark, latencyBenchmark, layoutBenchmark, pushSendBenchmark, richBenchmark, historyBenchmark, attachmentsBenchmark, attachmentPreviewBenchmark, attachmentTransferBenchmark, pushNotifyBenchmark, searchBenchmark];

export function findBenchmark(name: string): Benchmark | undefined {
  return benchmarks.find((b) => b.name === name);
}
