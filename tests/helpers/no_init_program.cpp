// A program whose main() forgot `mproc::init(argc, argv)`. See test_bootstrap.cpp.
#include <cstdio>

#include "mproc/mproc.hpp"

static void child_task() {}

int main() {
  mproc::set_start_method("spawn");
  mproc::Process p(child_task);
  try {
    p.start();
  } catch (const mproc::BootstrapError& e) {
    std::fprintf(stderr, "re-executed child refused to start a process, as it should: %.60s...\n",
                 e.what());
    return 42;
  }
  p.join(60.0);
  if (p.exitcode() != 42) {
    std::fprintf(stderr, "child exit code %d, expected 42\n", p.exitcode().value_or(-1000));
    return 1;
  }
  return 0;
}
