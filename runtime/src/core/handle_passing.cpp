#include "mproc/detail/handle_passing.hpp"

#include <string>

#include "mproc/errors.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/pipe.hpp"

namespace mproc::detail {
namespace {

thread_local std::vector<ExportedHandle>* current_export = nullptr;
thread_local HandleImportScope* current_import = nullptr;

void close_any(native_handle h, handle_kind kind);

}  // namespace

std::uint32_t export_handle(native_handle handle, handle_kind kind, const char* what) {
  if (current_export == nullptr)
    throw ValueError(std::string("a ") + what +
                     " can only be sent to another process as an argument of a Process (or "
                     "inherited under fork), not inside a message; pass it when starting the "
                     "process that needs it");
  if (handle == invalid_handle)
    throw ValueError(std::string("cannot pass a closed ") + what + " to a new process");
  current_export->push_back({handle, kind});
  return static_cast<std::uint32_t>(current_export->size() - 1);
}

native_handle import_handle(std::uint32_t index, const char* what) {
  HandleImportScope* scope = current_import;
  if (scope == nullptr || index >= scope->handles_.size() || scope->claimed_[index])
    throw SerializationError(std::string("a ") + what +
                             " in this message refers to no handle this process received");
  scope->claimed_[index] = true;
  return scope->handles_[index];
}

HandleExportScope::HandleExportScope() : previous_(current_export) { current_export = &handles_; }

HandleExportScope::~HandleExportScope() { current_export = previous_; }

std::vector<ExportedHandle> HandleExportScope::take() { return std::move(handles_); }

HandleImportScope::HandleImportScope(std::vector<native_handle> handles, std::vector<handle_kind> kinds)
    : previous_(current_import),
      handles_(std::move(handles)),
      kinds_(std::move(kinds)),
      claimed_(handles_.size(), false) {
  current_import = this;
}

HandleImportScope::~HandleImportScope() {
  current_import = previous_;
  for (std::size_t i = 0; i < handles_.size(); ++i)
    if (!claimed_[i]) close_any(handles_[i], kinds_[i]);
}

namespace {
void close_any(native_handle h, handle_kind kind) {
  if (kind == handle_kind::descriptor) platform::close_handle(h);
  else platform::close_os_object(h);
}
}  // namespace

}  // namespace mproc::detail
