// `q.get(5.0)` and `lock.acquire(5.0)` must not silently mean "block forever": every
// `block, timeout` method has an overload for numbers that stops the build with a message
// (runtime/include/mproc/detail/block_argument.hpp). Here, at compile time: that overload exists
// for doubles and ints (so overload resolution picks it over the conversion to bool), not for
// bool, and the spellings people should use still compile. tests/compile_fail/ compiles the
// refused calls and checks the message.
#include <optional>
#include <thread>

#include "support.hpp"

namespace {

// `&C::template acquire<double>` names the refusing overload without instantiating its body.
template <class C>
concept refuses_numbers_in_acquire = requires {
  &C::template acquire<double>;
  &C::template acquire<float>;
  &C::template acquire<int>;
  &C::template acquire<long>;
} && !requires { &C::template acquire<bool>; };

template <class Q>
concept refuses_numbers_in_get_and_put = requires {
  &Q::template get<double>;
  &Q::template get<int>;
  &Q::template put<double>;
  &Q::template put<int>;
} && !requires { &Q::template get<bool>; } && !requires { &Q::template put<bool>; };

template <class C>
concept acquires_as_intended = requires(C& c) {
  { c.acquire() } -> std::same_as<bool>;
  { c.acquire(false) } -> std::same_as<bool>;
  { c.acquire(true, 5.0) } -> std::same_as<bool>;
  { c.acquire(true, 5) } -> std::same_as<bool>;
  { c.acquire(true, std::nullopt) } -> std::same_as<bool>;
};

template <class Q>
concept gets_and_puts_as_intended = requires(Q& q, const int& item) {
  { q.get() } -> std::same_as<int>;
  { q.get(false) } -> std::same_as<int>;
  { q.get(true, 5.0) } -> std::same_as<int>;
  q.put(item);
  q.put(item, false);
  q.put(item, true, 5.0);
};

static_assert(refuses_numbers_in_acquire<mproc::Lock>);
static_assert(refuses_numbers_in_acquire<mproc::RLock>);
static_assert(refuses_numbers_in_acquire<mproc::Semaphore>);
static_assert(refuses_numbers_in_acquire<mproc::BoundedSemaphore>);
static_assert(refuses_numbers_in_acquire<mproc::Condition>);
static_assert(refuses_numbers_in_acquire<mproc::AcquirerProxy>);
static_assert(refuses_numbers_in_acquire<mproc::ConditionProxy>);
static_assert(refuses_numbers_in_get_and_put<mproc::Queue<int>>);
static_assert(refuses_numbers_in_get_and_put<mproc::JoinableQueue<int>>);
static_assert(refuses_numbers_in_get_and_put<mproc::QueueProxy<int>>);

static_assert(acquires_as_intended<mproc::Lock>);
static_assert(acquires_as_intended<mproc::RLock>);
static_assert(acquires_as_intended<mproc::Semaphore>);
static_assert(acquires_as_intended<mproc::Condition>);
static_assert(acquires_as_intended<const mproc::AcquirerProxy>);
static_assert(acquires_as_intended<const mproc::ConditionProxy>);
static_assert(gets_and_puts_as_intended<mproc::Queue<int>>);
static_assert(gets_and_puts_as_intended<mproc::JoinableQueue<int>>);
static_assert(gets_and_puts_as_intended<const mproc::QueueProxy<int>>);

// A queue of bools still takes a bool item and a bool `block`.
static_assert(requires(mproc::Queue<bool>& q) {
  q.put(true);
  q.put(true, false);
  q.put(false, true, 5.0);
});

}  // namespace

TEST_CASE("block_then_timeout_spelled_as_intended_times_out", "[block_argument]") {
  mproc::Queue<int> q;
  CHECK_THROWS_AS(q.get(true, 0.05), mproc::Empty);
  mproc::Queue<int> small(1);
  small.put(1);
  CHECK_THROWS_AS(small.put(2, true, 0.05), mproc::Full);

  mproc::Semaphore none(0);
  CHECK_FALSE(none.acquire(true, 0.05));

  mproc::Lock lock;
  REQUIRE(lock.acquire());
  bool other_thread_got_it = true;
  std::thread([&] { other_thread_got_it = lock.acquire(true, 0.05); }).join();
  CHECK_FALSE(other_thread_got_it);
  lock.release();
}
