#pragma once
// Python's `Condition.wait_for`, written once for every condition type: waits (with `wait`,
// which takes the seconds left or nullopt for no limit) until `predicate()` holds or `timeout`
// seconds passed; returns the predicate's last value.
#include <chrono>
#include <optional>

namespace mproc::detail {

template <class Wait, class Predicate>
bool wait_for_predicate(Wait wait, Predicate predicate, std::optional<double> timeout) {
  bool result = predicate();
  if (result) return result;
  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> end;
  if (timeout)
    end = clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(*timeout));
  while (!result) {
    std::optional<double> left;
    if (end) {
      left = std::chrono::duration<double>(*end - clock::now()).count();
      if (*left <= 0) break;
    }
    wait(left);
    result = predicate();
  }
  return result;
}

}  // namespace mproc::detail
