// A program whose main() forgot `mproc::init(argc, argv)`. See test_bootstrap.cpp.
//
// Run as `no_init_program spawn|forkserver`; it exits 0 if the bootstrapping guard did its job.
// mproc re-executes it with its own argv (never "spawn" or "forkserver"), so a run without one
// of those is a re-execution: the spawned child, or the forkserver.
#include <cstdio>
#include <string>

#include "mproc/mproc.hpp"

static void child_task() {}

// What a re-executed run does: it reaches start() as the parent did, which must refuse.
static int reexecuted_run() {
  mproc::Process p(child_task);
  try {
    p.start();
  } catch (const mproc::BootstrapError& e) {
    std::fprintf(stderr, "re-executed run refused to start a process, as it should: %.60s...\n",
                 e.what());
    return 42;
  }
  return 1;
}

// spawn: the child is the re-executed run; the parent sees its exit code.
static int spawn_parent() {
  mproc::set_start_method("spawn");
  mproc::Process p(child_task);
  p.start();
  p.join(60.0);
  if (p.exitcode() != 42) {
    std::fprintf(stderr, "child exit code %d, expected 42\n", p.exitcode().value_or(-1000));
    return 1;
  }
  return 0;
}

// forkserver: the server is the re-executed run, so the parent's own start() must throw the
// BootstrapError (not a lost connection), and again on a second try (no stuck state).
static int forkserver_parent() {
  mproc::set_start_method("forkserver");
  for (int attempt = 1; attempt <= 2; ++attempt) {
    mproc::Process p(child_task);
    try {
      p.start();
      std::fprintf(stderr, "attempt %d: start() succeeded, expected a BootstrapError\n", attempt);
      return 1;
    } catch (const mproc::BootstrapError& e) {
      std::string what = e.what();
      if (what.find("bootstrapping phase") == std::string::npos ||
          what.find("mproc::init(argc, argv)") == std::string::npos) {
        std::fprintf(stderr, "attempt %d: BootstrapError without the fix: %s\n", attempt, e.what());
        return 1;
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "attempt %d: expected a BootstrapError, got: %s\n", attempt, e.what());
      return 1;
    }
    if (p.pid()) {
      std::fprintf(stderr, "attempt %d: a process was created\n", attempt);
      return 1;
    }
  }
  return 0;
}

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "spawn") return spawn_parent();
  if (mode == "forkserver") return forkserver_parent();
  return reexecuted_run();
}
