#pragma once
// Start methods: Python's `set_start_method`, `get_start_method` and `get_all_start_methods`.
#include <string>
#include <string_view>
#include <vector>

namespace mproc {

/// Sets the default start method ("fork", "spawn" or "forkserver"). A second call is an error
/// unless `force` is true (Python's `RuntimeError: context has already been set`).
void set_start_method(std::string_view method, bool force = false);

/// The default start method; fixes it to the platform default if it was not set yet. With
/// `allow_none`, returns an empty string instead when it was not set.
std::string get_start_method(bool allow_none = false);

/// The start methods this platform offers, the default first.
std::vector<std::string> get_all_start_methods();

namespace detail {
/// The canonical name of `method`; ValueError if it is unknown or not available here.
std::string checked_start_method(std::string_view method);
}  // namespace detail

}  // namespace mproc
