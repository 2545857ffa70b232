// Node test environment that remembers whether a test in the file failed, so helpers can print the
// servers' recent log lines on failure only (see cluster.ts).
const { TestEnvironment } = require('jest-environment-node');

class FailureAwareEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') this.global.__testFailed = true;
  }
}

module.exports = FailureAwareEnvironment;
