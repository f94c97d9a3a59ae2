#pragma once
// What the Pool and executor tests share: small tasks, and a gate that tests open and close
// around tasks, handed to each worker by the initializer (as in Python, synchronization objects
// reach pool workers through inheritance, not as task arguments).
#include <mutex>
#include <optional>
#include <string>

#include "mproc/mproc.hpp"

namespace test {

inline int square(int x) { return x * x; }
inline int add(int a, int b) { return a + b; }
inline std::string shout(std::string s) { return s + "!"; }
inline int worker_pid() { return mproc::getpid(); }

inline std::optional<mproc::Event> g_started;
inline std::optional<mproc::Event> g_release;
inline std::optional<mproc::Value<int>> g_initialized;

inline void init_gate(mproc::Event started, mproc::Event release, mproc::Value<int> initialized) {
  g_started = started;
  g_release = release;
  g_initialized = initialized;
  std::lock_guard<mproc::Lock> guard(initialized.get_lock());
  *initialized.get() += 1;
}

/// Tells the test it runs, then waits for it to open the gate (a minute at most).
inline int gated(int x) {
  g_started->set();
  g_release->wait(60);
  return x;
}

struct Gate {
  mproc::Event started;
  mproc::Event release;
  mproc::Value<int> initialized{0};
  mproc::PoolInitializer initializer() const {
    return mproc::initializer(init_gate, started, release, initialized);
  }
  mproc::PoolOptions options(int processes) const {
    mproc::PoolOptions o;
    o.processes = processes;
    o.initializer = initializer();
    return o;
  }
};

}  // namespace test
