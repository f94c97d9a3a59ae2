#pragma once
// One render on a Pool, driven from a thread of its own so that the GUI thread never waits:
// the thread starts the pool (spawning workers takes a while), iterates `imap_unordered` and
// hands every tile to a callback as it arrives. Qt-free; the window turns the callbacks into
// queued calls on the GUI thread.
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <mproc/mproc.hpp>

#include "mandelbrot.hpp"

enum class Outcome { finished, cancelled, failed };

class RenderJob {
 public:
  struct Callbacks {
    std::function<void(std::vector<int> worker_pids)> started;  ///< the pool is up
    std::function<void(mandelbrot::Tile)> tile;                 ///< one more tile, any order
    std::function<void(Outcome, std::string error)> done;       ///< last call; workers joined
  };

  /// Starts rendering at once; the callbacks run on the job's thread.
  RenderJob(std::vector<mandelbrot::TileRequest> tiles, Callbacks callbacks);
  /// Cancels and waits (see `wait`).
  ~RenderJob();
  RenderJob(const RenderJob&) = delete;
  RenderJob& operator=(const RenderJob&) = delete;

  /// Terminates the pool. Any thread; returns at once (the job's thread joins the workers).
  void cancel();
  /// Waits until the job's thread has ended: `done` was called and the workers were joined.
  /// After `cancel`, that is bounded by the pool's terminate (SIGTERM, SIGKILL after 2 s).
  void wait();

 private:
  void run(std::vector<mandelbrot::TileRequest> tiles);

  Callbacks callbacks_;
  std::mutex mutex_;
  mproc::Pool* pool_ = nullptr;  // while run() has a pool; cancel() terminates it
  bool cancelled_ = false;
  std::thread thread_;
};
