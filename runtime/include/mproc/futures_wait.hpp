#pragma once
// `mproc::futures::wait` and `mproc::futures::as_completed`: Python's functions of the same
// names in `concurrent.futures`, over futures of any result types.
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <vector>

#include "mproc/future.hpp"

namespace mproc::futures {

/// When `wait` returns (Python's constants of the same names).
enum class ReturnWhen { FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED };
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::FIRST_COMPLETED;
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::FIRST_EXCEPTION;
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::ALL_COMPLETED;

/// Python's `DoneAndNotDoneFutures`, each in the order given.
template <class F>
struct DoneAndNotDone {
  std::vector<F> done;
  std::vector<F> not_done;
};

namespace detail {
/// Which of `states` are done when `wait` returns.
std::vector<bool> wait_for(const std::vector<mproc::detail::FutureState*>& states,
                           std::optional<double> timeout, ReturnWhen return_when);

std::optional<std::chrono::steady_clock::time_point> deadline_after(std::optional<double> timeout);

/// The order in which futures finish, for as_completed.
class CompletionOrder {
 public:
  CompletionOrder(std::vector<std::shared_ptr<mproc::detail::FutureState>> states,
                  std::optional<double> timeout);
  ~CompletionOrder();
  CompletionOrder(const CompletionOrder&) = delete;
  CompletionOrder& operator=(const CompletionOrder&) = delete;
  /// The index of the next future to finish; none when all were handed out; TimeoutError when
  /// the timeout passes first.
  std::optional<std::size_t> next();

 private:
  std::vector<std::shared_ptr<mproc::detail::FutureState>> states_;
  std::shared_ptr<mproc::detail::FutureWaiter> waiter_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::optional<double> timeout_;
  std::vector<std::size_t> ready_;  // finished, not yet handed out
  std::size_t handed_out_ = 0;
};
}  // namespace detail

/// Waits until `return_when` holds for `fs` (any range of Futures, or FutureBases) or `timeout`
/// seconds pass; returns which are done and which are not (Python's `wait`).
template <std::ranges::input_range Range>
auto wait(const Range& fs, std::optional<double> timeout = std::nullopt,
          ReturnWhen return_when = ALL_COMPLETED) {
  using F = std::ranges::range_value_t<Range>;
  std::vector<F> all(std::ranges::begin(fs), std::ranges::end(fs));
  std::vector<mproc::detail::FutureState*> states;
  states.reserve(all.size());
  for (const F& f : all) {
    if (!f.valid()) throw ValueError("futures::wait: a Future refers to no task");
    states.push_back(f.state().get());
  }
  std::vector<bool> done = detail::wait_for(states, timeout, return_when);
  DoneAndNotDone<F> out;
  for (std::size_t i = 0; i < all.size(); ++i) (done[i] ? out.done : out.not_done).push_back(all[i]);
  return out;
}

/// The same for futures of different result types: `wait({f_int, f_string})`.
inline DoneAndNotDone<FutureBase> wait(std::initializer_list<FutureBase> fs,
                                       std::optional<double> timeout = std::nullopt,
                                       ReturnWhen return_when = ALL_COMPLETED) {
  return wait(std::vector<FutureBase>(fs), timeout, return_when);
}

/// The futures of `fs` as they finish, for a range-for (Python's `as_completed`): the ones
/// already done first, then each as it finishes. Iterating throws TimeoutError once `timeout`
/// seconds (from this call) pass with futures still unfinished.
template <class F>
class AsCompleted {
 public:
  AsCompleted(std::vector<F> futures, std::optional<double> timeout)
      : futures_(std::move(futures)), order_(states_of(futures_), timeout) {}

  class iterator {
   public:
    using value_type = F;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(AsCompleted* owner) : owner_(owner) { advance(); }
    const F& operator*() const { return owner_->futures_[*index_]; }
    const F* operator->() const { return &owner_->futures_[*index_]; }
    iterator& operator++() {
      advance();
      return *this;
    }
    void operator++(int) { advance(); }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return !it.index_; }

   private:
    void advance() { index_ = owner_->order_.next(); }
    AsCompleted* owner_ = nullptr;
    std::optional<std::size_t> index_;
  };

  /// Once only: the range is consumed as it is iterated.
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  static std::vector<std::shared_ptr<mproc::detail::FutureState>> states_of(const std::vector<F>& fs) {
    std::vector<std::shared_ptr<mproc::detail::FutureState>> states;
    for (const F& f : fs) {
      if (!f.valid()) throw ValueError("futures::as_completed: a Future refers to no task");
      states.push_back(f.state());
    }
    return states;
  }

  std::vector<F> futures_;
  detail::CompletionOrder order_;
};

template <std::ranges::input_range Range>
AsCompleted<std::ranges::range_value_t<Range>> as_completed(
    const Range& fs, std::optional<double> timeout = std::nullopt) {
  using F = std::ranges::range_value_t<Range>;
  return AsCompleted<F>(std::vector<F>(std::ranges::begin(fs), std::ranges::end(fs)), timeout);
}

inline AsCompleted<FutureBase> as_completed(std::initializer_list<FutureBase> fs,
                                            std::optional<double> timeout = std::nullopt) {
  return AsCompleted<FutureBase>(std::vector<FutureBase>(fs), timeout);
}

}  // namespace mproc::futures
