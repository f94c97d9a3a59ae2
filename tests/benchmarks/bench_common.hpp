#pragma once
// What the benchmarks share: their command line, number formatting, and running the Python
// baseline scripts of tests/benchmarks/python/.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

/// `--quick` (a smoke run with few iterations) and `--markdown=PATH` (also write the table there).
struct BenchArgs {
  bool quick = false;
  std::string markdown;
};

inline BenchArgs parse_bench_args(int argc, char** argv) {
  BenchArgs args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") args.quick = true;
    else if (a.rfind("--markdown=", 0) == 0) args.markdown = a.substr(11);
  }
  return args;
}

/// Whole numbers from 100 up, two decimals below.
inline std::string format_number(double v) {
  char b[64];
  std::snprintf(b, sizeof b, v >= 100 ? "%.0f" : "%.2f", v);
  return b;
}

/// Runs a baseline script and returns what it printed (a JSON object), or "" when python3 is
/// missing or the script failed.
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

namespace bench {

using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

inline double median_of(int repetitions, const std::function<double()>& once) {
  std::vector<double> v;
  for (int i = 0; i < repetitions; ++i) v.push_back(once());
  return median(std::move(v));
}

inline std::string yes_no(bool b) { return b ? "yes" : "no"; }

/// One line of a report: ours beside Python's, the ratio, the target and whether it was met
/// ("-" when not judged).
struct Row {
  std::string benchmark, method, ours, python, ratio, target, met;
};

/// The report as a Markdown table; counts the rows judged and met.
inline std::string table_of(const std::vector<Row>& rows, int& judged, int& met) {
  std::string table =
      "| benchmark | method | mproc | Python | mproc/Python | target | met? |\n"
      "|---|---|---|---|---|---|---|\n";
  judged = met = 0;
  for (const Row& r : rows) {
    table += "| " + r.benchmark + " | " + r.method + " | " + r.ours + " | " + r.python + " | " +
             r.ratio + " | " + r.target + " | " + r.met + " |\n";
    if (r.met != "-") ++judged;
    if (r.met == "yes") ++met;
  }
  return table;
}

}  // namespace bench
