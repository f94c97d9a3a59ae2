// The builtin Queue kind of a manager (Python's `queue.Queue` served by a SyncManager): put and
// get block in the server thread of their caller, with the caller's timeout.
#include <deque>

#include "managers/managed_object.hpp"
#include "mproc/serialization.hpp"

namespace mproc::detail {
namespace {

template <class T>
T decoded(std::vector<std::string>& args, std::size_t index, std::string_view method) {
  T value{};
  wire::load(argument(args, index, "Queue", method), value);
  return value;
}

class ManagedQueue final : public ManagedObject {
 public:
  explicit ManagedQueue(std::int64_t maxsize) : maxsize_(maxsize) {}

  std::string call(CallContext& context, std::string_view method, std::vector<std::string>& args) override {
    std::unique_lock lock(mutex_);
    if (method == "put") {
      std::string& item = argument(args, 0, "Queue", method);
      bool block = decoded<bool>(args, 1, method);
      auto timeout = decoded<std::optional<double>>(args, 2, method);
      auto has_room = [&] { return maxsize_ <= 0 || static_cast<std::int64_t>(items_.size()) < maxsize_; };
      if (!has_room()) {
        if (!block) throw Full("the manager's queue is full");
        if (!wait_for_caller(lock, not_full_, timeout, context, has_room))
          throw Full("the manager's queue stayed full for the whole timeout");
      }
      items_.push_back(std::move(item));
      ++unfinished_;
      not_empty_.notify_one();
      return {};
    }
    if (method == "get") {
      bool block = decoded<bool>(args, 0, method);
      auto timeout = decoded<std::optional<double>>(args, 1, method);
      auto has_item = [&] { return !items_.empty(); };
      if (!has_item()) {
        if (!block) throw Empty("the manager's queue is empty");
        if (!wait_for_caller(lock, not_empty_, timeout, context, has_item))
          throw Empty("the manager's queue stayed empty for the whole timeout");
      }
      std::string item = std::move(items_.front());
      items_.pop_front();
      not_full_.notify_one();
      return item;
    }
    if (method == "qsize") return wire::save(static_cast<std::uint64_t>(items_.size()));
    if (method == "empty") return wire::save(items_.empty());
    if (method == "full")
      return wire::save(maxsize_ > 0 && static_cast<std::int64_t>(items_.size()) >= maxsize_);
    if (method == "task_done") {
      if (unfinished_ <= 0) throw ValueError("task_done() called too many times");
      if (--unfinished_ == 0) all_done_.notify_all();
      return {};
    }
    if (method == "join") {
      wait_for_caller(lock, all_done_, std::nullopt, context, [&] { return unfinished_ == 0; });
      return {};
    }
    no_such_method("Queue", method);
  }

  bool hands_over(std::string_view method) const override { return method == "get"; }
  // The item a vanished caller's `get` took goes back to the front, so it is not lost.
  void reply_lost(std::string_view method, std::string& payload) override {
    if (method != "get") return;
    std::lock_guard lock(mutex_);
    items_.push_front(std::move(payload));
    not_empty_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_, all_done_;
  std::deque<std::string> items_;
  std::int64_t maxsize_;
  std::int64_t unfinished_ = 0;
};

}  // namespace

std::shared_ptr<ManagedObject> make_managed_queue(CallContext&, std::vector<std::string>& args) {
  std::int64_t maxsize = 0;
  if (!args.empty()) wire::load(args[0], maxsize);
  return std::make_shared<ManagedQueue>(maxsize);
}

}  // namespace mproc::detail
