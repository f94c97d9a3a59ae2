#include "mproc/platform/ipc_sync.hpp"

#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "mproc/platform/error.hpp"
#include "mproc/platform/shared_memory.hpp"

namespace mproc::platform {
namespace {

constexpr std::size_t page = 4096;

timespec deadline_after(int timeout_ms) {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += timeout_ms / 1000;
  t.tv_nsec += static_cast<long>(timeout_ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

std::error_code map_page(native_handle handle, void*& memory) {
  mapped_region region;
  if (auto ec = map_region(handle, page, region)) return ec;
  memory = region.address;
  return {};
}

void unmap_page(native_handle& handle, void*& memory) {
  mapped_region region{handle, memory, memory != nullptr ? page : 0};
  release_region(region);
  handle = invalid_handle;
  memory = nullptr;
}

}  // namespace

handle_kind ipc_object_kind() noexcept { return handle_kind::descriptor; }

std::error_code create_mutex(ipc_mutex& out) noexcept {
  mapped_region region;
  if (auto ec = create_region(page, region)) return ec;
  auto* m = static_cast<pthread_mutex_t*>(region.address);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  int rc = pthread_mutex_init(m, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) {
    release_region(region);
    return {rc, std::generic_category()};
  }
  out = {region.handle, region.address};
  return {};
}

std::error_code open_mutex(native_handle handle, ipc_mutex& out) noexcept {
  out.handle = handle;
  if (auto ec = map_page(handle, out.memory)) {
    out = {};
    return ec;
  }
  return {};
}

void close_mutex(ipc_mutex& m) noexcept { unmap_page(m.handle, m.memory); }

lock_status lock_mutex(ipc_mutex& m, int timeout_ms) noexcept {
  auto* mutex = static_cast<pthread_mutex_t*>(m.memory);
  // Held for microseconds at a time: a short spin avoids most sleeps in the kernel.
  int rc = EBUSY;
  for (int i = 0; i < 64 && rc == EBUSY; ++i) {
    rc = pthread_mutex_trylock(mutex);
    if (rc == EBUSY) sched_yield();
  }
  if (rc == 0) return lock_status::acquired;
  if (rc == EOWNERDEAD) {
    pthread_mutex_consistent(mutex);
    return lock_status::owner_died;
  }
  if (timeout_ms < 0) {
    rc = pthread_mutex_lock(mutex);
  } else {
    timespec deadline = deadline_after(timeout_ms);
    rc = pthread_mutex_clocklock(mutex, CLOCK_MONOTONIC, &deadline);
  }
  if (rc == ETIMEDOUT) return lock_status::timed_out;
  if (rc == EOWNERDEAD) {
    pthread_mutex_consistent(mutex);
    return lock_status::owner_died;
  }
  return lock_status::acquired;
}

void unlock_mutex(ipc_mutex& m) noexcept { pthread_mutex_unlock(static_cast<pthread_mutex_t*>(m.memory)); }

// The page holds the sem_t and, behind it, the maximum (sem_t has no notion of one).
struct semaphore_page {
  sem_t sem;
  unsigned maximum;
};

std::error_code create_semaphore(unsigned initial, unsigned maximum, ipc_semaphore& out) noexcept {
  mapped_region region;
  if (auto ec = create_region(page, region)) return ec;
  auto* p = static_cast<semaphore_page*>(region.address);
  if (sem_init(&p->sem, 1, initial) != 0) {
    auto ec = last_error();
    release_region(region);
    return ec;
  }
  p->maximum = maximum;
  out = {region.handle, region.address};
  return {};
}

std::error_code semaphore_value(ipc_semaphore& s, int& value) noexcept {
  if (sem_getvalue(&static_cast<semaphore_page*>(s.memory)->sem, &value) != 0) return last_error();
  return {};
}

std::error_code open_semaphore(native_handle handle, ipc_semaphore& out) noexcept {
  out.handle = handle;
  if (auto ec = map_page(handle, out.memory)) {
    out = {};
    return ec;
  }
  return {};
}

void close_semaphore(ipc_semaphore& s) noexcept { unmap_page(s.handle, s.memory); }

bool acquire_semaphore(ipc_semaphore& s, int timeout_ms) noexcept {
  auto* sem = &static_cast<semaphore_page*>(s.memory)->sem;
  if (timeout_ms < 0) {
    while (sem_wait(sem) != 0) {
      if (errno != EINTR) return false;
    }
    return true;
  }
  timespec deadline = deadline_after(timeout_ms);
  while (sem_clockwait(sem, CLOCK_MONOTONIC, &deadline) != 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

std::error_code release_semaphore(ipc_semaphore& s, unsigned count) noexcept {
  auto* p = static_cast<semaphore_page*>(s.memory);
  for (unsigned i = 0; i < count; ++i) {
    int value = 0;
    if (sem_getvalue(&p->sem, &value) == 0 && value >= 0 && static_cast<unsigned>(value) >= p->maximum)
      return std::make_error_code(std::errc::value_too_large);
    if (sem_post(&p->sem) != 0) return last_error();
  }
  return {};
}

}  // namespace mproc::platform
