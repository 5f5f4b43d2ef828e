import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
/** axe-core (exact version pinned in package.json), injected by the test, never shipped with the app. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

interface AxeGlobal {
  axe: {
    version: string;
    run(
      context: Document,
      options: object,
    ): Promise<{
      violations: { id: string; impact?: string | null; help: string; nodes: { target: string[] }[] }[];
    }>;
  };
}

/**
 * Runs every axe rule (WCAG 2.x A/AA and best practices) on the page as it is now. The script is evaluated through
 * the DevTools protocol, which the page's Content-Security-Policy does not apply to, so the CSP under test stays
 * exactly as served.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const { axe } = window as unknown as AxeGlobal;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')),
    }));
  });
}

export function axeVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')) as { version: string }).version;
}
