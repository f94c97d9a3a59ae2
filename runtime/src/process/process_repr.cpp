// How processes print: Python's `BaseProcess.__repr__`, for Process, current_process() and
// parent_process().
#include <mutex>
#include <string>
#include <typeinfo>

#include "core/cached_pid.hpp"
#include "core/identity.hpp"
#include "mproc/current_process.hpp"
#include "mproc/detail/type_name.hpp"
#include "mproc/process.hpp"
#include "mproc/repr.hpp"
#include "process/process_record.hpp"

namespace mproc {

namespace {

// Python names an exit by signal: exitcode=-SIGTERM. The numbers are POSIX's, which the
// Windows build also reports for terminate() (-15) and kill() (-9).
std::string exitcode_text(int code) {
  static constexpr struct { int number; const char* name; } signals[] = {
      {1, "SIGHUP"},  {2, "SIGINT"},   {3, "SIGQUIT"}, {4, "SIGILL"},   {6, "SIGABRT"},
      {7, "SIGBUS"},  {8, "SIGFPE"},   {9, "SIGKILL"}, {10, "SIGUSR1"}, {11, "SIGSEGV"},
      {12, "SIGUSR2"}, {13, "SIGPIPE"}, {14, "SIGALRM"}, {15, "SIGTERM"}};
  for (const auto& s : signals)
    if (code == -s.number) return std::string("-") + s.name;
  return std::to_string(code);
}

// The class name as Python's type(self).__name__: no namespace, so `app::Consumer` is Consumer.
std::string class_name(const std::type_info& type) {
  std::string full = detail::type_name(type);
  auto angle = full.find('<');
  auto colons = full.rfind("::", angle);
  return colons == std::string::npos ? full : full.substr(colons + 2);
}

}  // namespace

std::string Process::repr() const {
  const detail::ProcessRecord& r = *record_;
  std::string status;
  std::optional<int> exitcode;
  int pid = r.pid.load();
  {
    std::lock_guard<std::mutex> lock(record_->mutex);
    if (r.is_current)
      status = "started";
    else if (r.state == detail::ProcessRecord::State::closed)
      status = "closed";
    else if (r.creator_pid != detail::cached_pid())
      status = "unknown";
    else if (r.state == detail::ProcessRecord::State::created)
      status = "initial";
    else if ((exitcode = r.exit_status()))
      status = "stopped";
    else
      status = "started";
  }
  std::string out = "<" + class_name(typeid(*this)) + " name=" + mproc::repr(name());
  if (pid != 0 && !r.is_current) out += " pid=" + std::to_string(pid);
  out += " parent=" + std::to_string(r.creator_pid) + " " + status;
  if (exitcode) out += " exitcode=" + exitcode_text(*exitcode);
  if (r.daemon) out += " daemon";
  return out + ">";
}

std::string CurrentProcess::repr() const {
  const detail::Identity& me = detail::current_identity();
  std::string out = me.is_child ? "<Process name=" : "<_MainProcess name=";
  out += mproc::repr(me.name) + " parent=";
  out += me.is_child ? std::to_string(me.parent_pid) : std::string("None");
  out += " started";
  if (me.daemon) out += " daemon";
  return out + ">";
}

std::string ParentProcess::repr() const {
  return "<_ParentProcess name=" + mproc::repr(name_) + " pid=" + std::to_string(pid_) +
         " unknown>";
}

}  // namespace mproc
