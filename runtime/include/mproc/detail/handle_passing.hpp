#pragma once
// How objects that own OS handles (Connection, Queue, locks) travel as Process arguments to a
// spawned or forkserver child. While a Process serializes its arguments, an export scope is
// open on that thread: such an object registers its handles there and writes only their
// indices. The launcher hands the handles to the child (platform/handle_transfer.hpp), and
// while the child decodes its arguments an import scope maps the indices back to its copies.
#include <cstdint>
#include <vector>

#include "mproc/platform/native_handle.hpp"

namespace mproc::detail {

struct ExportedHandle {
  native_handle handle = invalid_handle;
  handle_kind kind = handle_kind::descriptor;
};

/// Registers `handle` for the child being started; returns the index to serialize. Throws
/// ValueError when no Process is being started (e.g. a Connection put into a Queue) and
/// explains what works instead; `what` names the object for that message.
std::uint32_t export_handle(native_handle handle, handle_kind kind, const char* what);

/// In a child decoding its arguments: the handle received under `index`; the caller owns it.
native_handle import_handle(std::uint32_t index, const char* what);

/// Opened around the serialization of a Process's arguments.
class HandleExportScope {
 public:
  HandleExportScope();
  ~HandleExportScope();
  HandleExportScope(const HandleExportScope&) = delete;
  HandleExportScope& operator=(const HandleExportScope&) = delete;
  /// The handles registered so far.
  std::vector<ExportedHandle> take();

 private:
  std::vector<ExportedHandle>* previous_;
  std::vector<ExportedHandle> handles_;
};

/// Opened in a child around decoding its arguments; closes handles nobody claimed.
class HandleImportScope {
 public:
  explicit HandleImportScope(std::vector<native_handle> handles, std::vector<handle_kind> kinds);
  ~HandleImportScope();
  HandleImportScope(const HandleImportScope&) = delete;
  HandleImportScope& operator=(const HandleImportScope&) = delete;

 private:
  friend native_handle import_handle(std::uint32_t, const char*);
  HandleImportScope* previous_;
  std::vector<native_handle> handles_;
  std::vector<handle_kind> kinds_;
  std::vector<bool> claimed_;
};

}  // namespace mproc::detail
