#include "bridge.hpp"

#include <utility>

#include "mproc/errors.hpp"

namespace mproc::mpi::detail {

Bridge::Bridge(Router& router, int peer, std::uint32_t session, Connection relay_end)
    : relay_end_(std::move(relay_end)) {
  reader_ = std::thread([this, &router, peer, session] {
    for (;;) {
      std::string message;
      try {
        message = relay_end_.recv_bytes();
      } catch (const Error&) {
        return;  // EOF: the local side is done
      }
      router.send(peer, session, Kind::data, std::move(message));
    }
  });
  writer_ = std::thread([this] {
    for (;;) {
      std::string message;
      {
        std::unique_lock lock(mutex_);
        queued_.wait(lock, [this] { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;
        message = std::move(queue_.front());
        queue_.pop_front();
      }
      try {
        relay_end_.send_bytes(message);
      } catch (const Error&) {
        // The local side closed its end: what is left has nobody to read it.
        std::lock_guard lock(mutex_);
        queue_.clear();
        closing_ = true;
        return;
      }
    }
  });
}

Bridge::~Bridge() {
  if (reader_.joinable()) reader_.join();
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    queue_.clear();  // the local side is gone (its EOF ended the reader)
  }
  queued_.notify_one();
  if (writer_.joinable()) writer_.join();
  relay_end_.close();
}

void Bridge::write(std::string body) {
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    queue_.push_back(std::move(body));
  }
  queued_.notify_one();
}

}  // namespace mproc::mpi::detail
