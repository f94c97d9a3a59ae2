// A test case that hangs names itself: after MPROC_TEST_CASE_TIMEOUT seconds (default 240)
// the watchdog prints the test case's name and ends the run with exit code 124. Without it a
// hang shows only as ctest's whole-suite timeout, after many minutes and with no name.
// MPROC_TEST_TRACE=1 also prints each test case as it starts, to follow a slow run.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#define CATCH_CONFIG_EXTERNAL_INTERFACES  // Catch2 v2: the listener base classes
#include "catch.hpp"
#if __has_include(<catch2/reporters/catch_reporter_event_listener.hpp>)
  #include <catch2/reporters/catch_reporter_event_listener.hpp>
  #include <catch2/reporters/catch_reporter_registrars.hpp>
using ListenerBase = Catch::EventListenerBase;
#else
using ListenerBase = Catch::TestEventListenerBase;
#endif

namespace {

long env_seconds(const char* name, long fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtol(text, nullptr, 10);
}

// One thread for the whole run; each test case re-arms it.
class Watchdog {
 public:
  static Watchdog& instance() {
    static Watchdog* watchdog = new Watchdog;  // never destroyed: its thread outlives main
    return *watchdog;
  }

  void arm(const std::string& test_case) {
    std::lock_guard<std::mutex> lock(mutex_);
    test_case_ = test_case;
    deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds_);
    armed_ = true;
    changed_.notify_one();
  }

  void disarm() {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = false;
    changed_.notify_one();
  }

 private:
  Watchdog() : timeout_seconds_(env_seconds("MPROC_TEST_CASE_TIMEOUT", 240)) {
    std::thread([this] { watch(); }).detach();
  }

  void watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (!armed_) {
        changed_.wait(lock);
        continue;
      }
      if (changed_.wait_until(lock, deadline_) == std::cv_status::no_timeout) continue;
      if (!armed_ || std::chrono::steady_clock::now() < deadline_) continue;
      std::fprintf(stderr, "\nmproc test watchdog: test case \"%s\" still running after %ld s; ending the run\n",
                   test_case_.c_str(), timeout_seconds_);
      std::fflush(stderr);
      std::fflush(stdout);
      std::_Exit(124);
    }
  }

  const long timeout_seconds_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string test_case_;
  std::chrono::steady_clock::time_point deadline_;
  bool armed_ = false;
};

class WatchdogListener : public ListenerBase {
 public:
  using ListenerBase::ListenerBase;

  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    if (trace_) {
      std::fprintf(stderr, "[test] %s\n", info.name.c_str());
      std::fflush(stderr);
    }
    if (enabled_) Watchdog::instance().arm(info.name);
  }

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    if (enabled_) Watchdog::instance().disarm();
    ListenerBase::testCaseEnded(stats);
  }

 private:
  const bool enabled_ = env_seconds("MPROC_TEST_CASE_TIMEOUT", 240) > 0;
  const bool trace_ = env_seconds("MPROC_TEST_TRACE", 0) != 0;
};

}  // namespace

CATCH_REGISTER_LISTENER(WatchdogListener)
