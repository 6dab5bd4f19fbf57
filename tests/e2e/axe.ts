// Accessibility measured with axe-core (issue 21): AxeBuilder injects axe through the DevTools protocol
// (Runtime.evaluate), which the page's Content-Security-Policy and Trusted Types do not govern, and axe walks
// open shadow roots, so Lit's components are checked, not just the light DOM around them.
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";

/** Impacts that fail a screen; "moderate" and "minor" are reported by axe but do not fail the suite. */
const FAILING = new Set(["serious", "critical"]);

export interface AxeFinding {
  screen: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Every serious or critical violation on the page as it is now, one entry per rule and element. */
export async function seriousViolations(page: Page, screen: string): Promise<AxeFinding[]> {
  const result = await new AxeBuilder({ page }).analyze();
  const out: AxeFinding[] = [];
  for (const v of result.violations) {
    if (!v.impact || !FAILING.has(v.impact)) continue;
    for (const node of v.nodes) {
      out.push({
        screen,
        rule: v.id,
        impact: v.impact,
        help: `${v.help} (${node.failureSummary?.replace(/\s+/g, " ").trim() ?? ""})`,
        targets: node.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : String(t))),
      });
    }
  }
  return out;
}

export function formatFindings(findings: readonly AxeFinding[]): string {
  return findings.map((f) => `[${f.screen}] ${f.rule} (${f.impact}) at ${f.targets.join(" | ")}: ${f.help}`).join("\n");
}

/** Fails with a readable list (rule, impact, element, what to fix) if axe finds anything serious or critical. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const findings = await seriousViolations(page, screen);
  if (findings.length > 0) throw new Error(`${findings.length} serious or critical accessibility violation(s) on "${screen}":\n${formatFindings(findings)}`);
}
