// Prints one plain closing line ("jest: N passed, N failed, N skipped") that CI tooling can read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: p, numFailedTests: f, numPendingTests: s } = results;
    process.stdout.write(`\njest: ${p} passed, ${f} failed, ${s} skipped\n`);
  }
}
module.exports = SummaryReporter;
