#include "mproc/platform/spawn.hpp"

#include <io.h>
#include <uv.h>
#include <windows.h>

#include <memory>
#include <mutex>
#include <new>

#include "mproc/platform/error.hpp"
#include "spawn_blocks.hpp"
#include "utf.hpp"

namespace mproc::platform {
namespace {

// CREATE_NO_WINDOW: a console child of a GUI app (or of a service) gets no console window at
// all; hiding the window (SW_HIDE) would still create one, flashing up on some systems.
// CREATE_SUSPENDED: the child joins the job below before it runs a single instruction.
constexpr DWORD base_flags = CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT | CREATE_SUSPENDED;

// Wine (8.0) gives each CREATE_NO_WINDOW child a headless conhost.exe of its own, and now and
// then one of them outlives everything, holding the Unix stderr that Wine hands to every
// process: a test runner reading that pipe (ctest) then waits forever. Wine shows no windows
// here anyway, so there the children share this process's console (or its lack of one), as
// with libuv before.
bool running_under_wine() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

DWORD creation_flags() {
  static const DWORD flags = base_flags | (running_under_wine() ? 0 : CREATE_NO_WINDOW);
  return flags;
}

// Every child goes into one kill-on-close job that only this process holds, so that children
// die with this process however it ends (libuv did the same for the children it spawned). Its
// own children are not held (SILENT_BREAKAWAY_OK): they may use jobs of their own.
HANDLE children_job() {
  static HANDLE job = [] {
    HANDLE j = ::CreateJobObjectW(nullptr, nullptr);
    if (j == nullptr) return j;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
    info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_BREAKAWAY_OK | JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK |
                                            JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION |
                                            JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    ::SetInformationJobObject(j, JobObjectExtendedLimitInformation, &info, sizeof info);
    return j;
  }();
  return job;
}

bool usable(HANDLE h) { return h != nullptr && h != INVALID_HANDLE_VALUE && h != reinterpret_cast<HANDLE>(-2); }

// The inheritable handles made for one CreateProcessW call, closed after it: our own
// duplicates, so the originals' inherit flags are never touched (another thread may be
// spawning with them at the same moment).
class ChildHandles {
 public:
  ChildHandles() = default;
  ChildHandles(const ChildHandles&) = delete;
  ChildHandles& operator=(const ChildHandles&) = delete;
  ~ChildHandles() {
    for (HANDLE h : handles_)
      if (usable(h)) ::CloseHandle(h);
  }

  std::error_code add_duplicate(HANDLE source) {
    HANDLE copy = nullptr;
    if (!::DuplicateHandle(::GetCurrentProcess(), source, ::GetCurrentProcess(), &copy, 0, TRUE,
                           DUPLICATE_SAME_ACCESS))
      return last_error();
    handles_.push_back(copy);
    return {};
  }

  // Standard stream `fd` as it is, or the null device if this process has none (a GUI app):
  // a child with a missing stdout would fail at its first print, a missing one must not fail
  // the spawn.
  std::error_code add_stdio(int fd) {
    HANDLE h = reinterpret_cast<HANDLE>(::_get_osfhandle(fd));
    if (usable(h) && !add_duplicate(h)) return {};
    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    DWORD access = fd == 0 ? GENERIC_READ : GENERIC_WRITE | FILE_READ_ATTRIBUTES;
    HANDLE null = ::CreateFileW(L"NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                                OPEN_EXISTING, 0, nullptr);
    if (null == INVALID_HANDLE_VALUE) return last_error();
    handles_.push_back(null);
    return {};
  }

  const std::vector<HANDLE>& all() const { return handles_; }

 private:
  std::vector<HANDLE> handles_;
};

// PROC_THREAD_ATTRIBUTE_HANDLE_LIST: the child inherits exactly these handles, not every
// inheritable handle of this process (a desktop app's other libraries make some).
class HandleListAttribute {
 public:
  explicit HandleListAttribute(const std::vector<HANDLE>& handles) : handles_(handles) {
    SIZE_T size = 0;
    ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    buffer_ = std::make_unique<char[]>(size);
    auto* list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(buffer_.get());
    if (!::InitializeProcThreadAttributeList(list, 1, 0, &size)) return;
    initialized_ = true;
    if (::UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles_.data(),
                                    handles_.size() * sizeof(HANDLE), nullptr, nullptr))
      list_ = list;
  }
  HandleListAttribute(const HandleListAttribute&) = delete;
  HandleListAttribute& operator=(const HandleListAttribute&) = delete;
  ~HandleListAttribute() {
    if (initialized_) ::DeleteProcThreadAttributeList(reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(buffer_.get()));
  }

  /// The list, or null where the system cannot make one: then the child inherits every
  /// inheritable handle, as before Windows Vista (better than not starting it).
  LPPROC_THREAD_ATTRIBUTE_LIST get() const { return list_; }

 private:
  std::vector<HANDLE> handles_;  // must outlive the list, which points into it
  std::unique_ptr<char[]> buffer_;
  bool initialized_ = false;
  LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
};

// The errors that say the executable itself is the problem, as the portable codes the runtime
// recognises (to tell the user to restart the program); others stay Windows codes.
std::error_code spawn_error(DWORD err) {
  switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND: return std::make_error_code(std::errc::no_such_file_or_directory);
    case ERROR_ACCESS_DENIED: return std::make_error_code(std::errc::permission_denied);
    case ERROR_BAD_EXE_FORMAT:
    case ERROR_EXE_MACHINE_TYPE_MISMATCH:
    case ERROR_EXE_MARKED_INVALID: return std::make_error_code(std::errc::executable_format_error);
    case ERROR_SHARING_VIOLATION: return std::make_error_code(std::errc::text_file_busy);
    default: return {static_cast<int>(err), std::system_category()};
  }
}

struct wide_command {
  std::wstring executable;
  std::wstring command_line;
  std::wstring environment;
};

std::error_code convert(const spawn_options& options, wide_command& out) {
  if (auto ec = to_wide(options.executable, out.executable)) return ec;
  std::vector<std::wstring> args(options.arguments.size()), env(options.environment.size());
  for (std::size_t i = 0; i < args.size(); ++i)
    if (auto ec = to_wide(options.arguments[i], args[i])) return ec;
  for (std::size_t i = 0; i < env.size(); ++i)
    if (auto ec = to_wide(options.environment[i], env[i])) return ec;
  out.command_line = quote_command_line(args);
  out.environment = environment_block(std::move(env));
  return {};
}

// One CreateProcessW. On success the child runs, in the job, and `child` holds it.
DWORD create_once(const spawn_options& options, wide_command& command, spawned_child& child) {
  ChildHandles handles;
  for (int fd = 0; fd < 3; ++fd)
    if (auto ec = handles.add_stdio(fd)) return static_cast<DWORD>(ec.value());
  for (native_handle fd : options.inherited) {
    HANDLE h = reinterpret_cast<HANDLE>(::_get_osfhandle(static_cast<int>(fd)));
    if (!usable(h)) return ERROR_INVALID_HANDLE;
    if (auto ec = handles.add_duplicate(h)) return static_cast<DWORD>(ec.value());
  }
  std::vector<BYTE> crt_block = crt_inheritance_block(handles.all());
  HandleListAttribute attribute(handles.all());

  STARTUPINFOEXW info{};
  info.StartupInfo.cb = attribute.get() != nullptr ? sizeof info : sizeof info.StartupInfo;
  info.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  info.StartupInfo.hStdInput = handles.all()[0];
  info.StartupInfo.hStdOutput = handles.all()[1];
  info.StartupInfo.hStdError = handles.all()[2];
  info.StartupInfo.cbReserved2 = static_cast<WORD>(crt_block.size());
  info.StartupInfo.lpReserved2 = crt_block.data();
  info.lpAttributeList = attribute.get();
  DWORD flags = creation_flags();
  if (attribute.get() == nullptr) flags &= ~static_cast<DWORD>(EXTENDED_STARTUPINFO_PRESENT);

  PROCESS_INFORMATION process{};
  std::wstring line = command.command_line;  // CreateProcessW may write into it
  if (!::CreateProcessW(command.executable.c_str(), line.data(), nullptr, nullptr, TRUE, flags,
                        command.environment.data(), nullptr, &info.StartupInfo, &process))
    return ::GetLastError();
  // A job we cannot join (this process is in a job that forbids it) leaves the child without
  // the kill-on-close guard, as libuv did; refusing to start it would help nobody.
  if (HANDLE job = children_job()) ::AssignProcessToJobObject(job, process.hProcess);
  ::ResumeThread(process.hThread);
  ::CloseHandle(process.hThread);
  child.pid = static_cast<int>(process.dwProcessId);
  child.process = reinterpret_cast<native_handle>(process.hProcess);
  return ERROR_SUCCESS;
}

}  // namespace

std::error_code spawn_child(const spawn_options& options, spawned_child& child) noexcept {
  try {
    wide_command command;
    if (auto ec = convert(options, command)) return ec;
    // Under Wine, CreateProcess now and then fails while many processes start at once, with an
    // error that none of the usual ones (libuv reported it as UV_UNKNOWN). Nothing was created
    // then, so it is tried twice more, 20 and 40 ms later. A missing or unusable executable
    // gives a known error and is reported at once.
    for (int attempt = 1;; ++attempt) {
      DWORD err = create_once(options, command, child);
      if (err == ERROR_SUCCESS) return {};
      bool not_a_program = err == ERROR_BAD_EXE_FORMAT || err == ERROR_EXE_MACHINE_TYPE_MISMATCH ||
                           err == ERROR_EXE_MARKED_INVALID;
      bool transient = !not_a_program && uv_translate_sys_error(static_cast<int>(err)) == UV_UNKNOWN;
      if (!transient || attempt == 3) return spawn_error(err);
      ::Sleep(static_cast<DWORD>(20 * attempt));
    }
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

unsigned long spawn_creation_flags() noexcept { return creation_flags(); }

}  // namespace mproc::platform
