#include "mproc/wait.hpp"

#include <algorithm>

#include "mproc/platform/pipe.hpp"
#include "mproc/platform/sentinel.hpp"
#include "mproc/process.hpp"
#include "throw_error.hpp"

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
  std::vector<Waitable> result;
  // A message a previous recv kept is ready without asking the OS.
  for (const auto& o : objects)
    if (o.connection() != nullptr && const_cast<Connection*>(o.connection())->poll(0.0)) result.push_back(o);
  if (!result.empty()) return result;
  std::vector<platform::handle_ref> refs;
  for (const auto& o : objects) refs.push_back({o.handle(), o.kind()});
  for (std::size_t i : wait_indices(refs, timeout)) result.push_back(objects[i]);
  return result;
}

std::vector<Connection> wait(const std::vector<Connection>& connections, std::optional<double> timeout) {
  std::vector<Waitable> objects(connections.begin(), connections.end());
  std::vector<Connection> result;
  for (const auto& w : wait(objects, timeout)) result.push_back(*w.connection());
  return result;
}

}  // namespace mproc
