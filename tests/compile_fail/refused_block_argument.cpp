// Calls that must not compile: a number where `bool block` goes would silently mean "block
// forever" (runtime/include/mproc/detail/block_argument.hpp). CMakeLists.txt here builds this
// file once per REFUSED_<call> and expects mproc's static_assert message.
#include "mproc/manager_proxies.hpp"
#include "mproc/queue.hpp"
#include "mproc/synchronize.hpp"

void refused_call(mproc::Lock& lock, mproc::RLock& rlock, mproc::Semaphore& semaphore,
                  mproc::Condition& condition, mproc::Queue<int>& queue,
                  mproc::JoinableQueue<int>& joinable, const mproc::QueueProxy<int>& queue_proxy,
                  const mproc::AcquirerProxy& lock_proxy, const mproc::ConditionProxy& condition_proxy) {
  (void)lock, (void)rlock, (void)semaphore, (void)condition, (void)queue, (void)joinable;
  (void)queue_proxy, (void)lock_proxy, (void)condition_proxy;
#if defined(REFUSED_lock_acquire_seconds)
  if (lock.acquire(5.0)) lock.release();
#elif defined(REFUSED_rlock_acquire_int)
  if (rlock.acquire(1)) rlock.release();
#elif defined(REFUSED_semaphore_acquire_seconds)
  (void)semaphore.acquire(5.0);
#elif defined(REFUSED_condition_acquire_seconds)
  (void)condition.acquire(2.5);
#elif defined(REFUSED_queue_get_seconds)
  int item = queue.get(5.0);
  (void)item;
#elif defined(REFUSED_queue_put_seconds)
  queue.put(1, 5.0);
#elif defined(REFUSED_joinable_queue_get_int)
  (void)joinable.get(5);
#elif defined(REFUSED_queue_proxy_get_seconds)
  (void)queue_proxy.get(5.0);
#elif defined(REFUSED_queue_proxy_put_seconds)
  queue_proxy.put(1, 5.0);
#elif defined(REFUSED_lock_proxy_acquire_seconds)
  (void)lock_proxy.acquire(5.0);
#elif defined(REFUSED_condition_proxy_acquire_seconds)
  (void)condition_proxy.acquire(5.0);
#else
  #error "define one REFUSED_<call>"
#endif
}
