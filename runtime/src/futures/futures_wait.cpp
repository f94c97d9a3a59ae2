#include <algorithm>
#include <string>

#include "mproc/futures_wait.hpp"

namespace mproc::futures::detail {

std::optional<std::chrono::steady_clock::time_point> deadline_after(std::optional<double> timeout) {
  if (!timeout) return std::nullopt;
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::duration<double>(std::max(*timeout, 0.0)));
}

std::vector<bool> wait_for(const std::vector<mproc::detail::FutureState*>& states,
                           std::optional<double> timeout, ReturnWhen return_when) {
  auto deadline = deadline_after(timeout);
  auto waiter = std::make_shared<mproc::detail::FutureWaiter>();
  std::vector<bool> done(states.size(), false);
  std::size_t count = 0;
  bool failed = false;
  for (std::size_t i = 0; i < states.size(); ++i) states[i]->add_waiter(waiter, i);
  auto satisfied = [&] {
    if (count == states.size()) return true;
    if (return_when == FIRST_COMPLETED) return count > 0;
    if (return_when == FIRST_EXCEPTION) return failed;
    return false;
  };
  for (;;) {
    // Taken before the check, so that the futures already done count without waiting.
    for (std::size_t i : waiter->take(std::chrono::steady_clock::time_point::min())) {
      if (done[i]) continue;
      done[i] = true;
      ++count;
      failed = failed || states[i]->failed();
    }
    if (satisfied()) break;
    auto got = waiter->take(deadline);
    if (got.empty()) break;  // timed out
    for (std::size_t i : got) {
      if (done[i]) continue;
      done[i] = true;
      ++count;
      failed = failed || states[i]->failed();
    }
    if (satisfied()) break;
  }
  for (auto* s : states) s->remove_waiter(waiter.get());
  return done;
}

CompletionOrder::CompletionOrder(std::vector<std::shared_ptr<mproc::detail::FutureState>> states,
                                 std::optional<double> timeout)
    : states_(std::move(states)),
      waiter_(std::make_shared<mproc::detail::FutureWaiter>()),
      deadline_(deadline_after(timeout)),
      timeout_(timeout) {
  for (std::size_t i = 0; i < states_.size(); ++i) states_[i]->add_waiter(waiter_, i);
}

CompletionOrder::~CompletionOrder() {
  for (auto& s : states_) s->remove_waiter(waiter_.get());
}

std::optional<std::size_t> CompletionOrder::next() {
  if (handed_out_ == states_.size()) return std::nullopt;
  if (ready_.empty()) {
    ready_ = waiter_->take(deadline_);
    std::reverse(ready_.begin(), ready_.end());  // handed out from the back, in finishing order
    if (ready_.empty())
      throw TimeoutError("as_completed: " + std::to_string(states_.size() - handed_out_) + " of " +
                         std::to_string(states_.size()) + " futures unfinished after " +
                         std::to_string(*timeout_) + " s");
  }
  std::size_t index = ready_.back();
  ready_.pop_back();
  ++handed_out_;
  return index;
}

}  // namespace mproc::futures::detail
