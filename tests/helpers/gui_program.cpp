// A GUI-subsystem program (WinMain, linked with -mwindows; Windows only) that uses mproc the
// way a desktop app does: `mproc::init()` without argv, and no valid stdio at all, as when it is
// started from Explorer. Its children are console-less too; what they print goes nowhere and
// nothing may crash. Exit code 0 when all went well, else the number of the step that failed.
#ifndef NOMINMAX  // windows.h must not define min/max macros (libstdc++ defines it already)
#define NOMINMAX
#endif
#define WIN32_LEAN_AND_MEAN
#include <io.h>
#include <windows.h>

#include <cstdio>
#include <string>
#include <vector>

#include "mproc/mproc.hpp"
#include "mproc/platform/spawn.hpp"

namespace {

void chatty_child(mproc::Queue<std::string> q) {
  std::printf("a child with nowhere to print\n");
  std::fflush(stdout);
  std::fprintf(stderr, "nor to complain\n");
  q.put(std::string("round trip"));
}

int cube(int x) {
  std::printf("cube(%d)\n", x);  // printed by a pool worker: to the null device
  return x * x * x;
}

// What Explorer gives a GUI program: no console and no standard handles. The test runner gave
// this process some, so it starts itself again without any (the "inner" run does the work).
// Closing descriptors 0-2 here instead would be wrong: the next pipe would get descriptor 1,
// and a printf would write into it.
int run_without_stdio() {
  wchar_t path[MAX_PATH * 4];
  ::GetModuleFileNameW(nullptr, path, MAX_PATH * 4);
  std::wstring line = L"\"" + std::wstring(path) + L"\" inner";
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;  // all three null
  PROCESS_INFORMATION info{};
  if (!::CreateProcessW(path, line.data(), nullptr, nullptr, FALSE, DETACHED_PROCESS, nullptr, nullptr,
                        &startup, &info))
    return 30;
  ::CloseHandle(info.hThread);
  DWORD code = 31;
  if (::WaitForSingleObject(info.hProcess, 240 * 1000) == WAIT_OBJECT_0) ::GetExitCodeProcess(info.hProcess, &code);
  else ::TerminateProcess(info.hProcess, 32);
  ::CloseHandle(info.hProcess);
  return static_cast<int>(code);
}

int run() {
  std::printf("the parent prints too\n");
  // (Under Wine mproc leaves CREATE_NO_WINDOW out: see platform/windows/spawn.cpp.)
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  bool wine = ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
  if (!wine && (mproc::platform::spawn_creation_flags() & CREATE_NO_WINDOW) == 0) return 10;
  mproc::Queue<std::string> q;
  mproc::Process p(chatty_child, q);
  p.start();
  if (q.get(true, 60.0) != "round trip") return 11;
  p.join(60.0);
  if (p.exitcode() != 0) return 12;
  mproc::Pool pool(2);
  if (pool.map(cube, std::vector<int>{1, 2, 3}) != std::vector<int>{1, 8, 27}) return 13;
  pool.close();
  pool.join();
  return 0;
}

}  // namespace

int WINAPI WinMain(HINSTANCE, HINSTANCE, LPSTR, int) {
  mproc::init();  // a child returns never from here
  try {
    const auto& args = mproc::argv();
    if (args.size() > 1 && args[1] == "inner") return run();
    return run_without_stdio();
  } catch (...) {
    return 20;
  }
}
