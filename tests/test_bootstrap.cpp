// The main guard: a spawned child whose main() forgot mproc::init must not start processes
// (Python's bootstrapping RuntimeError), so a forgotten guard is an error, not a fork bomb.
#include <cstdlib>
#include <string>

#include "support.hpp"

TEST_CASE("bootstrap_child_without_init_cannot_start_processes", "[bootstrap]") {
  // The helper's main() has no mproc::init. Run as a user would, it starts a child with spawn;
  // that child re-enters main(), its start() fails with BootstrapError (it exits 42), and the
  // helper exits 0 only if it saw exactly that.
  std::string command = std::string("\"") + MPROC_NO_INIT_PROGRAM + "\"";
  int status = std::system(command.c_str());
  CHECK(status == 0);
}
