#include "process/spawn_command.hpp"

#include <cstring>

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

SpawnCommand::SpawnCommand(SpawnRole role, const std::vector<native_handle>& inherited)
    : file_(own_executable()) {
  const char* role_name = role == SpawnRole::child ? role_child : role_forkserver;
  // Reserve first: args_/env_ point into strings_, which must not reallocate.
  uv_env_item_t* items = nullptr;
  int count = 0;
  throw_uv_error(uv_os_environ(&items, &count), "cannot read the environment");
  strings_.reserve(static_cast<std::size_t>(count) + 3);
  strings_.push_back(file_);
  strings_.push_back(std::string("--mproc-") + role_name);  // Shows the role in `ps`.
  for (int i = 0; i < count; ++i) {
    if (std::strcmp(items[i].name, role_variable) == 0) continue;
    strings_.push_back(std::string(items[i].name) + "=" + items[i].value);
  }
  uv_os_free_environ(items, count);
  strings_.push_back(std::string(role_variable) + "=" + role_name);

  args_ = {strings_[0].data(), strings_[1].data(), nullptr};
  for (std::size_t i = 2; i < strings_.size(); ++i) env_.push_back(strings_[i].data());
  env_.push_back(nullptr);

  // stdin/out/err are shared with the child, as in Python; a missing one (a GUI app without a
  // console) is left out rather than failing the spawn.
  for (int fd = 0; fd < first_inherited_fd; ++fd) {
    uv_stdio_container_t c{};
    if (uv_guess_handle(fd) == UV_UNKNOWN_HANDLE) {
      c.flags = UV_IGNORE;
    } else {
      c.flags = UV_INHERIT_FD;
      c.data.fd = fd;
    }
    stdio_.push_back(c);
  }
  for (native_handle h : inherited) {
    uv_stdio_container_t c{};
    c.flags = UV_INHERIT_FD;
    c.data.fd = static_cast<int>(h);
    stdio_.push_back(c);
  }
}

const uv_process_options_t* SpawnCommand::options(uv_exit_cb on_exit) {
  options_.exit_cb = on_exit;
  options_.file = file_.c_str();
  options_.args = args_.data();
  options_.env = env_.data();
  options_.flags = UV_PROCESS_WINDOWS_HIDE;  // No console window flashing up from a GUI app.
  options_.stdio_count = static_cast<int>(stdio_.size());
  options_.stdio = stdio_.data();
  return &options_;
}

}  // namespace mproc::detail
