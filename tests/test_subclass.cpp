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

TEST_CASE("subclass_is_named_after_its_class_as_in_python", "[subclass]") {
  // Python: `class Consumer(Process)` gives "Consumer-1"; a given name is kept. The child's
  // current_process() has the same name (Counter::run exits 99 otherwise).
  Counter c(1, "x");
  std::string name = c.name();
  CHECK(name.rfind("Counter-", 0) == 0);
  CHECK(name.find("::") == std::string::npos);
  c.start();
  test::join_or_fail(c);
  CHECK(c.exitcode() == 2);
  mproc::Process plain;
  CHECK(plain.name().rfind("Process-", 0) == 0);
  Counter named;
  named.set_name("consumer-A");
  CHECK(named.name() == "consumer-A");
}
