// Waiting until pipes, sockets or process handles are ready, by sleeping in the kernel.
//
// A pipe cannot be handed to WaitForMultipleObjects, but a read parked on it can: a zero-byte
// overlapped ReadFile completes when data arrives or the peer closes, and consumes nothing (what
// CPython's `multiprocessing.connection.wait` does on Windows). Each parked read has an event
// of its own (a shared one could not tell when each cancelled read is over, and an OVERLAPPED
// must outlive its read), kept per thread (thread_event) rather than made per wait. Readiness
// itself is always decided by looking (PeekNamedPipe), never by how a parked read ended: the read
// only wakes the waiter.
//
// What cannot be parked on, a socket (Listener/Client over TCP) or a pipe opened without
// FILE_FLAG_OVERLAPPED, is looked at every 10 ms; so are process handles beyond the limit.
#include <winsock2.h>
#include <windows.h>

#include <algorithm>
#include <vector>

#include "crt_handle.hpp"
#include "mproc/platform/pipe.hpp"
#include "overlapped_io.hpp"

namespace mproc::platform {
namespace {

constexpr DWORD look_interval_ms = 10;

// Ready to read without blocking: data waiting, or the peer gone (the read reports EOF).
// Pipes are peeked at; TCP sockets (from Listener/Client) asked with a zero-time select.
bool descriptor_ready(HANDLE h) {
  DWORD available = 0;
  if (::PeekNamedPipe(h, nullptr, 0, nullptr, &available, nullptr)) return available > 0;
  if (::GetLastError() == ERROR_BROKEN_PIPE) return true;
  auto s = reinterpret_cast<SOCKET>(h);
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(s, &readable);
  timeval zero{0, 0};
  int r = ::select(0, &readable, nullptr, nullptr, &zero);
  return r != 0;  // Ready, or an error that a read will report.
}

bool is_pipe(HANDLE h) {
  DWORD flags = 0;
  return ::GetNamedPipeInfo(h, &flags, nullptr, nullptr, nullptr) != FALSE;
}

bool signalled(HANDLE h) { return ::WaitForSingleObject(h, 0) == WAIT_OBJECT_0; }

struct Target {
  std::size_t index;
  HANDLE handle;
  bool descriptor;
  bool parkable = false;  // a pipe opened for overlapped I/O
};

// A zero-byte read parked on a pipe.
struct ParkedRead {
  HANDLE pipe;
  OVERLAPPED ov{};
  bool pending = false;
};

// The reads parked for one round of a wait; all are cancelled, and over, when it goes.
class Parked {
 public:
  explicit Parked(std::size_t most) { reads_.reserve(most); }
  ~Parked() {
    for (ParkedRead& r : reads_) {
      if (!r.pending) continue;
      DWORD n = 0;
      ::CancelIoEx(r.pipe, &r.ov);
      ::GetOverlappedResult(r.pipe, &r.ov, &n, TRUE);  // waits for its own event: then it is over
    }
  }
  Parked(const Parked&) = delete;
  Parked& operator=(const Parked&) = delete;

  // Parks a read on `pipe` that signals `event`; false if it ended at once (data, EOF or an
  // error: look again now).
  bool park(HANDLE pipe, HANDLE event) {
    reads_.push_back({pipe});  // never reallocates (reserved): a pending OVERLAPPED must not move
    ParkedRead& r = reads_.back();
    r.ov.hEvent = event;
    static char unused;
    if (::ReadFile(pipe, &unused, 0, nullptr, &r.ov)) return false;
    if (::GetLastError() != ERROR_IO_PENDING) return false;
    r.pending = true;
    return true;
  }

 private:
  std::vector<ParkedRead> reads_;
};

}  // namespace

bool readable_now(native_handle h) noexcept { return descriptor_ready(os_handle(h)); }

std::error_code wait_ready(const std::vector<handle_ref>& handles, int timeout_ms,
                           std::vector<std::size_t>& ready) noexcept {
  ready.clear();
  std::vector<Target> targets;
  targets.reserve(handles.size());
  std::size_t descriptors = 0;
  for (std::size_t i = 0; i < handles.size(); ++i) {
    bool descriptor = handles[i].kind == handle_kind::descriptor;
    HANDLE h = descriptor ? os_handle(handles[i].handle) : reinterpret_cast<HANDLE>(handles[i].handle);
    targets.push_back({i, h, descriptor});
    if (descriptor) ++descriptors;
  }
  bool kinds_known = false;  // which pipes are parkable: asked only once a wait is needed
  ULONGLONG deadline = ::GetTickCount64() + static_cast<ULONGLONG>(timeout_ms < 0 ? 0 : timeout_ms);
  std::vector<HANDLE> wait_set;
  for (;;) {
    for (const Target& t : targets)
      if (t.descriptor ? descriptor_ready(t.handle) : signalled(t.handle)) ready.push_back(t.index);
    if (!ready.empty()) return {};
    DWORD wait_ms = INFINITE;
    if (timeout_ms >= 0) {
      ULONGLONG now = ::GetTickCount64();
      if (now >= deadline) return {};
      wait_ms = static_cast<DWORD>(deadline - now);
    }

    if (!kinds_known) {
      for (Target& t : targets) t.parkable = t.descriptor && is_pipe(t.handle) && opened_overlapped(t.handle);
      kinds_known = true;
    }
    // Process handles, then a read parked on every pipe that allows it, up to the 64 handles
    // WaitForMultipleObjects takes; the rest are looked at again after a while.
    wait_set.clear();
    bool look_later = false;
    for (const Target& t : targets) {
      if (t.descriptor) {
        look_later = look_later || !t.parkable;
      } else if (wait_set.size() < MAXIMUM_WAIT_OBJECTS) {
        wait_set.push_back(t.handle);
      } else {
        look_later = true;
      }
    }
    Parked parked(descriptors);
    bool look_again_now = false;
    std::size_t parked_count = 0;
    for (Target& t : targets) {
      if (!t.descriptor || !t.parkable) continue;
      HANDLE event = wait_set.size() < MAXIMUM_WAIT_OBJECTS ? thread_event(1 + parked_count++) : nullptr;
      if (event == nullptr) {
        look_later = true;
      } else if (parked.park(t.handle, event)) {
        wait_set.push_back(event);
      } else if (descriptor_ready(t.handle)) {
        look_again_now = true;  // data or EOF came since the look above
        break;
      } else {
        // A zero-byte read that does not wait on this pipe (not expected): parking it again
        // would spin, so it is looked at later instead.
        t.parkable = false;
        look_later = true;
      }
    }
    if (look_again_now) continue;  // ~Parked cancels the others
    if (look_later) wait_ms = std::min(wait_ms, look_interval_ms);
    DWORD r = wait_set.empty()
                  ? (::Sleep(wait_ms), WAIT_TIMEOUT)
                  : ::WaitForMultipleObjects(static_cast<DWORD>(wait_set.size()), wait_set.data(), FALSE, wait_ms);
    if (r == WAIT_FAILED) return {static_cast<int>(::GetLastError()), std::system_category()};
  }
}

}  // namespace mproc::platform
