#include "mproc/platform/handle_transfer.hpp"

#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <cstdint>

#include "mproc/platform/channel.hpp"
#include "mproc/platform/error.hpp"

namespace mproc::platform {

std::error_code send_handles(native_handle channel, native_handle child_process,
                             const std::vector<handle_ref>& items) noexcept {
  std::vector<std::uint64_t> values;
  values.reserve(items.size());
  for (const auto& item : items) {
    HANDLE source = item.kind == handle_kind::descriptor
                        ? reinterpret_cast<HANDLE>(::_get_osfhandle(static_cast<int>(item.handle)))
                        : reinterpret_cast<HANDLE>(item.handle);
    HANDLE copy = nullptr;
    if (!::DuplicateHandle(::GetCurrentProcess(), source, reinterpret_cast<HANDLE>(child_process),
                           &copy, 0, FALSE, DUPLICATE_SAME_ACCESS))
      return last_error();
    values.push_back(reinterpret_cast<std::uintptr_t>(copy));
  }
  if (values.empty()) return {};
  return write_all(channel, values.data(), values.size() * sizeof values[0]);
}

std::error_code receive_handles(native_handle channel, const std::vector<handle_kind>& kinds,
                                std::vector<native_handle>& out) noexcept {
  out.clear();
  if (kinds.empty()) return {};
  std::vector<std::uint64_t> values(kinds.size());
  bool eof = false;
  if (auto ec = read_exact(channel, values.data(), values.size() * sizeof values[0], eof)) return ec;
  if (eof) return std::make_error_code(std::errc::connection_aborted);
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    auto raw = static_cast<std::intptr_t>(values[i]);
    if (kinds[i] == handle_kind::descriptor) {
      int fd = ::_open_osfhandle(raw, _O_BINARY);
      if (fd < 0) return std::make_error_code(std::errc::too_many_files_open);
      out.push_back(fd);
    } else {
      out.push_back(raw);
    }
  }
  return {};
}

}  // namespace mproc::platform
