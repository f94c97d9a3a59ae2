#pragma once
// Runs one of the Python baseline scripts of tests/benchmarks/python/ and returns what it
// printed (a JSON object), or "" when python3 is missing or the script failed.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

inline std::string run_python_baseline(const std::string& script, const std::string& args) {
  std::string cmd = "python3 \"" MPROC_BENCH_PYTHON_DIR "/" + script + "\" " + args + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  if (!pipe) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  return out;
}

/// The number after `"key": ` in a flat JSON object, or 0.
inline double json_number(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\": ");
  return at == std::string::npos ? 0.0 : std::atof(json.c_str() + at + key.size() + 4);
}
