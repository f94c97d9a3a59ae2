#pragma once
// All of a process's MPI traffic goes through one thread, the router: MPI is initialized with
// MPI_THREAD_SERIALIZED (what every MPI library offers), and no other thread calls it. Other
// threads hand it messages to send and get the ones that arrive in a callback.
//
// MPI has nothing to wait on together with pipes and condition variables, so the router polls
// MPI: it spins while messages flow, and backs off to sleeps of at most `max_backoff` when idle
// (mpi4py.futures does the same, with a 1 ms sleep), so idle ranks leave the CPU to the others.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace mproc::mpi::detail {

/// What a message is (its first byte after the session number).
enum class Kind : std::uint8_t {
  start = 1,     ///< rank 0 -> rank: serve a pool session (StartRequest)
  data = 2,      ///< either way: one Connection message of the session (task batch, results)
  data_part = 3, ///< either way: the first parts of a message too big for one MPI message
  stop_task = 4, ///< rank 0 -> rank: the session's task (id) was asked to stop
  detach = 5,    ///< rank 0 -> rank: rank 0 let the session go; end it after the running task
  ended = 6,     ///< rank -> rank 0: the session's worker returned (SessionEnd)
  finalize = 7,  ///< rank 0 -> rank: the job is over; leave
};

struct Message {
  int peer = 0;
  std::uint32_t session = 0;
  Kind kind = Kind::data;
  std::string body;
};

class Router {
 public:
  using Receiver = std::function<void(Message&&)>;

  /// Starts the thread; `receive` runs on it for each message that arrives, and must not block.
  explicit Router(Receiver receive);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  /// From any thread: queues a message (sent in order per peer).
  void send(int peer, std::uint32_t session, Kind kind, std::string body);
  /// Sends what is queued, then ends the thread.
  void stop();

 private:
  void run();

  Receiver receive_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Message> outgoing_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mproc::mpi::detail
