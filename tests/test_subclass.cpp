// Subclass-style processes (Python's `class Worker(Process): def run(self): ...`).
#include <string>

#include "support.hpp"

namespace {

// Spawnable: the child rebuilds it from its serialized state.
struct Counter : mproc::ProcessClass<Counter> {
  int first = 0;
  std::string label;
  Counter() = default;
  Counter(int s, std::string l) : first(s), label(std::move(l)) {}
  void run() override {
    if (mproc::current_process().name() != name()) mproc::exit(99);
    mproc::exit(first + static_cast<int>(label.size()));
  }
  template <class Archive>
  void serialize(Archive& a) {
    a(first, label);
  }
};

// Fork only: a plain subclass cannot be rebuilt in a re-executed child.
struct ForkOnly : mproc::Process {
  int code = 0;
  explicit ForkOnly(int c) : code(c) {}
  void run() override { mproc::exit(code); }
};

}  // namespace

TEST_CASE("subclass_runs_its_run_with_its_state", "[subclass]") {
  Counter c(30, "four");
  c.start();
  test::join_or_fail(c);
  CHECK(c.exitcode() == 34);
}

TEST_CASE("subclass_without_process_class_is_fork_only", "[subclass]") {
  ForkOnly p(5);
  if (test::method() == "fork") {
    p.start();
    test::join_or_fail(p);
    CHECK(p.exitcode() == 5);
  } else {
    CHECK_THROWS_AS(p.start(), mproc::ValueError);
  }
}

TEST_CASE("subclass_base_process_without_target_exits_zero", "[subclass]") {
  mproc::Process p;
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
}
