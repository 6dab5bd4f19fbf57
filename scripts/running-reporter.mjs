// A vitest reporter that appends "<ms> start|end <file>" lines to test-results/progress.log, so that
// when .ci/run's time cap fires, scripts/running-at.mjs can say which test file was running then.
import { appendFileSync, mkdirSync } from "node:fs";
import { relative } from "node:path";

const LOG = "test-results/progress.log";

export default class RunningReporter {
  log(what, module) {
    mkdirSync("test-results", { recursive: true });
    appendFileSync(LOG, `${Date.now()} ${what} ${relative(process.cwd(), module.moduleId)}\n`);
  }
  onTestModuleStart(module) {
    this.log("start", module);
  }
  onTestModuleEnd(module) {
    this.log("end", module);
  }
}
