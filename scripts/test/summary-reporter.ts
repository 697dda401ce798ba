import { appendFileSync } from 'node:fs';
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';
// For its declaration of `TaskMeta.skipReason`.
import type {} from './requirements.js';

function skipReason(test: TestCase): string | undefined {
  let node: TestCase | TestSuite | TestModule = test;
  for (;;) {
    if (node.type !== 'module') {
      const reason = node.meta().skipReason;
      if (reason) return reason;
      node = node.parent;
    } else {
      return undefined;
    }
  }
}

/**
 * Closes a run with one line for the whole suite — `tests: N passed, N failed, N skipped` — after
 * listing why tests were skipped, each reason once with its count. With
 * `FACTOREDUI_TEST_SUMMARY=<file>`, it also appends that line's numbers as JSON to the file, so
 * `.ci/run` can add up every stage.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const reasons = new Map<string, number>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else {
          skipped += 1;
          const reason = skipReason(test) ?? 'skipped without a stated reason (give it one)';
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        }
      }
      // An error outside any test (a file that fails to load, a failing beforeAll) is a failure
      // of its own: the tests it stopped are reported as skipped.
      if (module.errors().length > 0) failed += module.errors().length;
    }
    const lines: string[] = [];
    if (reasons.size > 0) {
      lines.push('', 'Skipped tests, by reason:');
      for (const [reason, count] of reasons) lines.push(`  ${count} × ${reason}`);
    }
    lines.push('', `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    process.stdout.write(`${lines.join('\n')}\n`);
    const file = process.env.FACTOREDUI_TEST_SUMMARY;
    if (file) appendFileSync(file, `${JSON.stringify({ passed, failed, skipped })}\n`);
  }
}
