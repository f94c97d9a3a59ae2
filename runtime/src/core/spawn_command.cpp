#include "core/spawn_command.hpp"

#include <uv.h>

#include <cstring>
#include <string_view>

#include "core/throw_error.hpp"

namespace mproc::detail {

const std::string& own_executable() {
  static const std::string path = [] {
    std::string buffer(4096, '\0');
    std::size_t size = buffer.size();
    throw_uv_error(uv_exepath(buffer.data(), &size), "cannot find this program's executable");
    buffer.resize(size);
    return buffer;
  }();
  return path;
}

platform::spawn_options spawn_command(SpawnRole role, const std::vector<native_handle>& inherited) {
  const char* role_name = role == SpawnRole::child        ? role_child
                          : role == SpawnRole::forkserver ? role_forkserver
                                                          : role_resource_tracker;
  platform::spawn_options options;
  options.executable = own_executable();
  options.arguments = {options.executable, std::string("--mproc-") + role_name};  // The role shows in `ps`.
  uv_env_item_t* items = nullptr;
  int count = 0;
  throw_uv_error(uv_os_environ(&items, &count), "cannot read the environment");
  options.environment.reserve(static_cast<std::size_t>(count) + 1);
  for (int i = 0; i < count; ++i) {
    if (std::strcmp(items[i].name, role_variable) == 0) continue;
    options.environment.push_back(std::string(items[i].name) + "=" + items[i].value);
  }
  uv_os_free_environ(items, count);
  options.environment.push_back(std::string(role_variable) + "=" + role_name);
  options.inherited = inherited;
  return options;
}

platform::spawned_child spawn_own_binary(SpawnRole role, const std::vector<native_handle>& inherited) {
  platform::spawn_options options = spawn_command(role, inherited);
  platform::spawned_child child;
  std::error_code ec = platform::spawn_child(options, child);
  if (!ec) return child;
  std::string what = "cannot start a new process from this program's executable '" + options.executable + "'";
  if (ec == std::errc::no_such_file_or_directory || ec == std::errc::permission_denied ||
      ec == std::errc::executable_format_error || ec == std::errc::text_file_busy)
    what += " (it must stay in place and executable while the program runs: if it was moved, deleted "
            "or replaced by an update, restart the program)";
  throw_error(ec, what.c_str());
  return child;  // Not reached.
}

}  // namespace mproc::detail
