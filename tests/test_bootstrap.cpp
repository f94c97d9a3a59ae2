// The main guard: a re-executed program whose main() forgot mproc::init must not start
// processes (Python's bootstrapping RuntimeError), so a forgotten guard is an error that names
// the fix, not a fork bomb.
#include <algorithm>
#include <cstdlib>
#include <string>

#include "support.hpp"

namespace {

// Runs tests/helpers/no_init_program.cpp with `method`; it exits 0 only if it saw what it should.
int run_no_init_program(const std::string& method) {
  std::string command = std::string("\"") + MPROC_NO_INIT_PROGRAM + "\" " + method;
  return std::system(command.c_str());
}

}  // namespace

TEST_CASE("bootstrap_child_without_init_cannot_start_processes", "[bootstrap]") {
  // The helper's main() has no mproc::init. It starts a child with spawn; that child re-enters
  // main(), its start() fails with BootstrapError (it exits 42), and the helper checks that code.
  CHECK(run_no_init_program("spawn") == 0);
}

TEST_CASE("bootstrap_forkserver_without_init_gives_the_parent_the_bootstrap_error", "[bootstrap]") {
  auto methods = mproc::get_all_start_methods();
  if (std::find(methods.begin(), methods.end(), "forkserver") == methods.end()) return;
  // Under forkserver the re-executed run is the server, which never serves: the helper's own
  // start() must throw the BootstrapError that names the fix (twice in a row), not a lost
  // connection.
  CHECK(run_no_init_program("forkserver") == 0);
}
