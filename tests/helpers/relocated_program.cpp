// A program the tests copy to another directory and run there (see test_relocated_program.cpp).
// Its main() is `mproc::init()` without argv, as a WinMain program's would be, and it reads its
// arguments with `mproc::argv()` (UTF-8 on Windows too).
//
//   relocated_program work <directory name>   children, a Pool, a Manager and a Listener, run
//                                             from a directory with that (non-ASCII) name
//   relocated_program vanished                starts a process after its executable was moved
//   relocated_program garbage                 ... after it was replaced by a text file
//   relocated_program not-executable          ... after its execute permission was removed
//   relocated_program exit <n>                exits with n (for tests of platform::spawn_child)
//   relocated_program wait                    waits until it is killed
//   relocated_program argv <args...>          exit 0 if its arguments are tricky_arguments()
//   relocated_program env <NAME> <value>      exit 0 if variable NAME is value
//
// Exit code 0 when everything behaved; the details go to report.txt in the working directory
// (a relocated program's stdout goes nowhere the test can read on Windows).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <uv.h>

#include "mproc/mproc.hpp"
#include "tricky_arguments.hpp"

namespace fs = std::filesystem;

namespace {

std::ostringstream report;

bool check(bool ok, const std::string& what) {
  report << (ok ? "ok: " : "FAILED: ") << what << "\n";
  return ok;
}

fs::path utf8_path(const std::string& s) { return fs::path(std::u8string(s.begin(), s.end())); }

std::string utf8(const fs::path& p) {
  std::u8string s = p.u8string();
  return std::string(s.begin(), s.end());
}

const std::string greeting = "Yusuf KOÇ / 数据 é";

// A spawned child: it must have started in the same directory, and it talks back through a
// Queue and a Listener whose name holds the same characters.
void child_task(std::string directory, mproc::Queue<std::string> q, std::string address) {
  q.put(utf8(fs::current_path().filename()) == directory ? greeting : "wrong directory " + utf8(fs::current_path()));
  auto connection = mproc::Client(mproc::Address(address));
  connection.send(greeting);
}

int square(int x) { return x * x; }

mproc::Address listener_address() {
  std::string tag = "mproc-数据-é-" + std::to_string(mproc::current_process().pid());
  if (mproc::Address::default_family() == mproc::AddressFamily::named_pipe)
    return mproc::Address("\\\\.\\pipe\\" + tag);
  return mproc::Address("./sock-" + tag);  // a socket file in the (non-ASCII) working directory
}

bool work(const std::string& directory) {
  bool ok = check(utf8(fs::current_path().filename()) == directory,
                  "working directory " + utf8(fs::current_path()) + " is named " + directory);
  mproc::set_start_method("spawn");
  {
    mproc::Listener listener(listener_address());
    mproc::Queue<std::string> q;
    mproc::Process p(child_task, directory, q, listener.address().to_string());
    p.start();
    auto connection = listener.accept();
    ok &= check(connection.recv<std::string>() == greeting, "Listener at " + listener.address().to_string());
    ok &= check(q.get(true, 60.0) == greeting, "a spawned child ran in the same directory");
    p.join(60.0);
    ok &= check(p.exitcode() == 0, "the child's exit code is 0");
  }
  {
    mproc::Pool pool(2);
    std::vector<int> xs{1, 2, 3, 4, 5, 6, 7, 8};
    ok &= check(pool.map(square, xs) == std::vector<int>{1, 4, 9, 16, 25, 36, 49, 64}, "Pool.map");
    pool.close();
    pool.join();
  }
  {
    auto d = mproc::Manager().dict<std::string, std::string>();
    d.set(greeting, directory);
    ok &= check(d.at(greeting) == directory, "a Manager's dict keeps non-ASCII keys and values");
  }
  return ok;
}

// Every spawn must now fail with an mproc error that names the executable, start nothing, and
// fail the same way again (no state left half-made).
bool refused_spawn(const fs::path& executable, const std::string& how) {
  bool ok = true;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    mproc::Process p(square, 3);
    try {
      p.start();
      p.join(60.0);
      return check(false, how + ": start() succeeded (exit code " + std::to_string(p.exitcode().value_or(-1000)) + ")");
    } catch (const mproc::Error& e) {
      std::string what = e.what();
      ok &= check(what.find(utf8(executable.filename())) != std::string::npos,
                  how + ": the error names the executable: " + what);
      ok &= check(what.find("restart the program") != std::string::npos, how + ": the error says what to do");
    } catch (const std::exception& e) {
      return check(false, how + ": expected an mproc::Error, got: " + e.what());
    }
    ok &= check(!p.pid().has_value(), how + ": no process was made");
  }
  return ok;
}

void exit_quietly() {}

bool spoil_executable(const std::string& mode) {
  fs::path self = utf8_path(mproc::argv().at(0));
  // One good start first: the program spawned fine until its file changed under it (an
  // update, an uninstall), and mproc has looked up its own path by then.
  mproc::set_start_method("spawn");
  mproc::Process first(exit_quietly);
  first.start();
  first.join(60.0);
  if (!check(first.exitcode() == 0, "a spawn before the executable changed")) return false;
  fs::path moved = self;
  moved += ".moved";
  fs::rename(self, moved);  // a running executable can be renamed (Windows too), not deleted
  if (mode == "garbage" || mode == "not-executable") {
    std::ofstream(self) << "this is not a program\n";
    fs::permissions(self, mode == "garbage" ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write);
  }
  bool ok = refused_spawn(self, mode);
  fs::remove(self);
  fs::rename(moved, self);
  return ok;
}

}  // namespace

int main() {
  mproc::init();
  const auto& args = mproc::argv();
  std::string mode = args.size() > 1 ? args[1] : "";
  bool ok = false;
  try {
    if (mode == "work" && args.size() > 2) ok = work(args[2]);
    else if (mode == "exit" && args.size() > 2) return std::stoi(args[2]);
    else if (mode == "wait") mproc::Event().wait();
    else if (mode == "argv") return std::vector<std::string>(args.begin() + 2, args.end()) == test::tricky_arguments() ? 0 : 1;
    else if (mode == "env" && args.size() > 3) {
      char value[256];
      std::size_t size = sizeof value;
      return uv_os_getenv(args[2].c_str(), value, &size) == 0 && std::string(value, size) == args[3] ? 0 : 1;
    }
    else if (mode == "vanished" || mode == "garbage" || mode == "not-executable") ok = spoil_executable(mode);
    else check(false, "unknown mode '" + mode + "'");
  } catch (const std::exception& e) {
    check(false, std::string("exception: ") + e.what());
  }
  std::ofstream("report.txt") << report.str();
  return ok ? 0 : 1;
}
