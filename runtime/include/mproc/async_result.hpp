#pragma once
// What `Pool`'s asynchronous calls return: `AsyncResult<R>` (Python's `AsyncResult`/`MapResult`)
// and `IMapIterator<R>` (what `imap`/`imap_unordered` return), plus the options of a call
// (`callback`, `error_callback`, a per-task `timeout`).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "mproc/detail/pool_task.hpp"
#include "mproc/detail/printable.hpp"
#include "mproc/errors.hpp"

namespace mproc {

namespace detail {

struct NoCallback {};

/// Readiness shared by every kind of result: a value or an error, then waiters are woken.
class ResultStateBase : public TaskSink {
 public:
  bool ready() const;
  /// Waits until ready or `timeout` seconds passed (forever for nullopt); returns readiness.
  bool wait(std::optional<double> timeout) const;
  /// Rethrows the error if the result failed; TimeoutError if it is not ready in time.
  void wait_and_check(std::optional<double> timeout, const char* what) const;
  /// Whether it succeeded; ValueError when not ready yet (as in Python).
  bool successful() const;

 protected:
  /// Marks the result ready (with `error` if it failed) and wakes the waiters. Only once.
  void finish(std::exception_ptr error);
  /// Calls a user callback; one that throws is reported on stderr, never kills the pool.
  static void guarded(const char* which, const std::function<void()>& call) noexcept;
  /// Turns `error` into the `std::exception&` that an error_callback receives.
  static void with_exception(std::exception_ptr error,
                             const std::function<void(const std::exception&)>& call);

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool ready_ = false;
  std::exception_ptr error_;
};

/// A result that yields an R once ready.
template <class R>
class ResultState : public ResultStateBase {
 public:
  /// The value; call after `wait_and_check`. Copies: the result may be read more than once.
  virtual R value() const = 0;
  /// Moves the value out (for the blocking calls, which read it once).
  virtual R take_value() = 0;
};

// What a callback of an R result looks like (a trait, so that R = void never forms `const void&`).
template <class R>
struct callback_for {
  using type = std::function<void(const R&)>;
  using storage = std::optional<R>;
};
template <>
struct callback_for<void> {
  using type = std::function<void()>;
  using storage = bool;
};

template <class R>
class ApplyState final : public ResultState<R> {
  using ResultStateBase::finish;
  using ResultStateBase::guarded;
  using ResultStateBase::mutex_;
  using ResultStateBase::with_exception;

 public:
 public:
  typename callback_for<R>::type callback;
  std::function<void(const std::exception&)> error_callback;

  void deliver(std::size_t, std::string_view payload) override {
    if constexpr (!std::is_void_v<R>) {
      R decoded{};
      try {
        wire::load(payload, decoded);
      } catch (...) {
        fail(0, std::current_exception());
        return;
      }
      value_ = std::move(decoded);
      if (callback) guarded("callback", [&] { callback(*value_); });
    } else {
      if (callback) guarded("callback", [&] { callback(); });
    }
    finish(nullptr);
  }
  void fail(std::size_t, std::exception_ptr error) override {
    if (this->ready()) return;
    if (error_callback) guarded("error_callback", [&] { with_exception(error, error_callback); });
    finish(error);
  }
  R value() const override {
    if constexpr (!std::is_void_v<R>) {
      std::lock_guard lock(mutex_);
      return *value_;
    }
  }
  R take_value() override {
    if constexpr (!std::is_void_v<R>) {
      std::lock_guard lock(mutex_);
      return std::move(*value_);
    }
  }

 private:
  typename callback_for<R>::storage value_{};
};

// A map: one part per chunk, each a vector placed at its offset in the whole.
template <class R>
class MapState final : public ResultState<std::vector<R>> {
  using ResultStateBase::finish;
  using ResultStateBase::guarded;
  using ResultStateBase::mutex_;
  using ResultStateBase::with_exception;

 public:
  std::function<void(const std::vector<R>&)> callback;
  std::function<void(const std::exception&)> error_callback;

  MapState(std::size_t items, std::size_t chunksize) : values_(items) {
    remaining_ = items == 0 ? 0 : (items + chunksize - 1) / chunksize;
    chunksize_ = chunksize;
  }
  /// For an empty input the result is ready at once.
  void finish_if_empty() {
    if (remaining_ == 0) finish(nullptr);
  }

  void deliver(std::size_t part, std::string_view payload) override {
    if (this->ready()) return;
    std::vector<R> chunk;
    try {
      wire::load(payload, chunk);
      if (part * chunksize_ + chunk.size() > values_.size())
        throw SerializationError("a map chunk came back with more results than it had items");
    } catch (...) {
      fail(part, std::current_exception());
      return;
    }
    std::move(chunk.begin(), chunk.end(),
              values_.begin() + static_cast<std::ptrdiff_t>(part * chunksize_));
    if (--remaining_ > 0) return;
    if (callback) guarded("callback", [&] { callback(values_); });
    finish(nullptr);
  }
  void fail(std::size_t, std::exception_ptr error) override {
    // As in Python: the first failing chunk fails the whole map at once.
    if (this->ready()) return;
    if (error_callback) guarded("error_callback", [&] { with_exception(error, error_callback); });
    finish(error);
  }
  std::vector<R> value() const override {
    std::lock_guard lock(mutex_);
    return values_;
  }
  std::vector<R> take_value() override {
    std::lock_guard lock(mutex_);
    return std::move(values_);
  }

 private:
  std::vector<R> values_;
  std::size_t remaining_ = 0;
  std::size_t chunksize_ = 1;
};

// imap / imap_unordered: chunks are handed out item by item as they arrive.
template <class R>
class IMapState final : public TaskSink {
 public:
  IMapState(std::size_t chunks, bool ordered) : arrived_(chunks), ordered_(ordered) {
    chunks_left_ = chunks;
  }

  void deliver(std::size_t part, std::string_view payload) override {
    Chunk chunk;
    try {
      wire::load(payload, chunk.items);
    } catch (...) {
      fail(part, std::current_exception());
      return;
    }
    store(part, std::move(chunk));
  }
  void fail(std::size_t part, std::exception_ptr error) override {
    Chunk chunk;
    chunk.error = error;
    store(part, std::move(chunk));
  }

  /// The next result; nullopt when all were handed out. TimeoutError after `timeout` seconds;
  /// the error of a failed task when its turn comes.
  std::optional<R> next(std::optional<double> timeout) {
    std::unique_lock lock(mutex_);
    auto has_next = [&] {
      if (!current_.empty() || chunks_left_ == 0) return true;
      return ordered_ ? arrived_[next_chunk_].has_value() : !unordered_.empty();
    };
    if (timeout) {
      auto until = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(*timeout));
      if (!changed_.wait_until(lock, until, has_next))
        throw TimeoutError("imap: no result within " + std::to_string(*timeout) + " s");
    } else {
      changed_.wait(lock, has_next);
    }
    if (current_.empty()) {
      if (chunks_left_ == 0) return std::nullopt;
      Chunk chunk;
      if (ordered_) {
        chunk = std::move(*arrived_[next_chunk_]);
        arrived_[next_chunk_].reset();
        ++next_chunk_;
      } else {
        chunk = std::move(unordered_.front());
        unordered_.pop_front();
      }
      --chunks_left_;
      if (chunk.error) std::rethrow_exception(chunk.error);
      current_ = std::deque<R>(std::make_move_iterator(chunk.items.begin()),
                               std::make_move_iterator(chunk.items.end()));
      if (current_.empty()) {
        lock.unlock();
        return next(timeout);
      }
    }
    R value = std::move(current_.front());
    current_.pop_front();
    return value;
  }

 private:
  struct Chunk {
    std::vector<R> items;
    std::exception_ptr error;
  };
  void store(std::size_t part, Chunk chunk) {
    {
      std::lock_guard lock(mutex_);
      if (ordered_) {
        if (part < arrived_.size() && !arrived_[part]) arrived_[part] = std::move(chunk);
      } else {
        unordered_.push_back(std::move(chunk));
      }
    }
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::optional<Chunk>> arrived_;  // ordered: by chunk index
  std::deque<Chunk> unordered_;                // unordered: by arrival
  std::deque<R> current_;                      // the chunk being handed out
  std::size_t next_chunk_ = 0;
  std::size_t chunks_left_ = 0;
  bool ordered_ = true;
};

}  // namespace detail

/// Options of one asynchronous pool call, made with `mproc::callback(...)`,
/// `mproc::error_callback(...)` or `mproc::task_timeout(...)` and chained:
///
///     pool.apply_async(mproc::callback(on_result).on_error(on_error).timeout(5.0), f, x);
///
/// Callbacks run in this process on the pool's result thread, one at a time, before the result
/// becomes ready (as in Python). `timeout` is beyond Python: the task fails with TimeoutError
/// after that many seconds of running, and its worker is killed and replaced.
template <class CB = detail::NoCallback, class ECB = detail::NoCallback>
struct TaskOptions {
  CB callback_fn;
  ECB error_callback_fn;
  std::optional<double> timeout_seconds;

  template <class F>
  TaskOptions<CB, std::decay_t<F>> on_error(F&& f) && {
    return {std::move(callback_fn), std::forward<F>(f), timeout_seconds};
  }
  TaskOptions timeout(double seconds) && {
    timeout_seconds = seconds;
    return std::move(*this);
  }
};

template <class F>
TaskOptions<std::decay_t<F>> callback(F&& f) {
  return {std::forward<F>(f), {}, {}};
}
template <class F>
TaskOptions<detail::NoCallback, std::decay_t<F>> error_callback(F&& f) {
  return {{}, std::forward<F>(f), {}};
}
inline TaskOptions<> task_timeout(double seconds) { return {{}, {}, seconds}; }

template <class T>
inline constexpr bool is_task_options_v = false;
template <class CB, class ECB>
inline constexpr bool is_task_options_v<TaskOptions<CB, ECB>> = true;

/// The result of `apply_async` (R) or of `map_async`/`starmap_async` (a vector).
template <class R>
class AsyncResult {
 public:
  using State = detail::ResultState<R>;

  explicit AsyncResult(std::shared_ptr<State> state) : state_(std::move(state)) {}

  /// The result, waiting for it; TimeoutError after `timeout` seconds (then it may still come);
  /// the task's error if it failed (the worker's exception re-thrown by its type, see
  /// remote_exceptions.hpp; WorkerLostError, TimeoutError of a per-task timeout,
  /// PoolTerminatedError).
  R get(std::optional<double> timeout = std::nullopt) const {
    state_->wait_and_check(timeout, "AsyncResult::get");
    return state_->value();
  }
  /// Waits until ready or `timeout` seconds passed.
  void wait(std::optional<double> timeout = std::nullopt) const { state_->wait(timeout); }
  /// Whether the call finished (successfully or not).
  bool ready() const { return state_->ready(); }
  /// Whether it finished without error; ValueError when not ready yet.
  bool successful() const { return state_->successful(); }

  /// `<AsyncResult(pending)>`, `<AsyncResult(ready, successful)>` or
  /// `<AsyncResult(ready, failed)>` (Python shows only an address).
  std::string repr() const {
    if (!ready()) return "<AsyncResult(pending)>";
    return successful() ? "<AsyncResult(ready, successful)>" : "<AsyncResult(ready, failed)>";
  }

  /// For the blocking calls: waits and moves the value out.
  R take() {
    state_->wait_and_check(std::nullopt, "Pool");
    return state_->take_value();
  }

 private:
  std::shared_ptr<State> state_;
};

/// What `imap`/`imap_unordered` return: results one by one, in order (imap) or as they finish
/// (imap_unordered). Usable in a range-for; `next(timeout)` as in Python.
template <class R>
class IMapIterator {
 public:
  explicit IMapIterator(std::shared_ptr<detail::IMapState<R>> state) : state_(std::move(state)) {}

  /// The next result, or nullopt at the end (Python's StopIteration). TimeoutError after
  /// `timeout` seconds; a failed task's error when its turn comes (iteration may go on).
  std::optional<R> next(std::optional<double> timeout = std::nullopt) {
    return state_->next(timeout);
  }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = R;
    using difference_type = std::ptrdiff_t;
    using pointer = const R*;
    using reference = const R&;

    iterator() = default;
    explicit iterator(IMapIterator* owner) : owner_(owner) { advance(); }
    const R& operator*() const { return *current_; }
    const R* operator->() const { return &*current_; }
    iterator& operator++() {
      advance();
      return *this;
    }
    void operator++(int) { advance(); }
    friend bool operator==(const iterator& a, const iterator& b) {
      return a.owner_ == b.owner_;
    }

   private:
    void advance() {
      current_ = owner_->next();
      if (!current_) owner_ = nullptr;
    }
    IMapIterator* owner_ = nullptr;
    std::optional<R> current_;
  };

  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  std::shared_ptr<detail::IMapState<R>> state_;
};

}  // namespace mproc
