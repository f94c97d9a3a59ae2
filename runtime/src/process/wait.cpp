#include "mproc/wait.hpp"

#include <algorithm>
#include <chrono>

#include "mproc/platform/pipe.hpp"
#include "mproc/platform/sentinel.hpp"
#include "mproc/process.hpp"
#include "core/throw_error.hpp"

namespace mproc {

Waitable::Waitable(const Connection& connection)
    : connection_(connection), handle_(connection.fileno()), kind_(handle_kind::descriptor) {}

Waitable::Waitable(const Process& process)
    : handle_(process.sentinel()), kind_(platform::sentinel_kind()) {}

bool Waitable::operator==(const Process& p) const {
  return !connection_ && handle_ == p.sentinel();
}

namespace {

int to_milliseconds(std::optional<double> timeout) {
  if (!timeout) return -1;
  if (*timeout <= 0) return 0;
  return static_cast<int>(std::min(*timeout * 1000.0 + 0.999, 2.0e9));
}

std::vector<std::size_t> wait_indices(const std::vector<platform::handle_ref>& refs,
                                      std::optional<double> timeout) {
  std::vector<std::size_t> ready;
  detail::throw_error(platform::wait_ready(refs, to_milliseconds(timeout), ready),
                      "cannot wait on the given objects");
  return ready;
}

}  // namespace

std::vector<Waitable> wait(const std::vector<Waitable>& objects, std::optional<double> timeout) {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                     std::chrono::duration<double>(std::min(timeout.value_or(0.0), 2.0e6)));
  auto ready_connection = [](const Waitable& o) {
    return const_cast<Connection*>(o.connection())->poll(0.0);
  };
  std::vector<Waitable> result;
  // A message a previous recv kept, or one in a pipe's mailbox, is ready without asking the OS.
  for (const auto& o : objects)
    if (o.connection() != nullptr && ready_connection(o)) result.push_back(o);
  if (!result.empty()) return result;
  std::vector<platform::handle_ref> refs;
  for (const auto& o : objects) refs.push_back({o.handle(), o.kind()});
  for (;;) {
    std::optional<double> left;
    if (timeout) left = std::max(0.0, std::chrono::duration<double>(deadline - clock::now()).count());
    auto indices = wait_indices(refs, left);
    // A pipe's descriptor can be readable for a doorbell whose message was already received
    // (see pipe_mailbox.hpp): asking the connection itself drops those.
    for (std::size_t i : indices)
      if (objects[i].connection() == nullptr || ready_connection(objects[i])) result.push_back(objects[i]);
    if (!result.empty() || indices.empty()) return result;
  }
}

std::vector<Connection> wait(const std::vector<Connection>& connections, std::optional<double> timeout) {
  std::vector<Waitable> objects(connections.begin(), connections.end());
  std::vector<Connection> result;
  for (const auto& w : wait(objects, timeout)) result.push_back(*w.connection());
  return result;
}

}  // namespace mproc
