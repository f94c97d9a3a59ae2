// CPython docs, concurrent.futures, the `as_completed` example ("ThreadPoolExecutor Example",
// which loads URLs), done with processes and CPU work instead of URLs, plus what Python cannot
// do: a task that runs too long is cancelled while it runs.
//
//   import concurrent.futures
//   import urllib.request
//
//   URLS = ['http://www.foxnews.com/', 'http://www.cnn.com/', ...]
//
//   # Retrieve a single page and report the URL and contents
//   def load_url(url, timeout):
//       with urllib.request.urlopen(url, timeout=timeout) as conn:
//           return conn.read()
//
//   # We can use a with statement to ensure threads are cleaned up promptly
//   with concurrent.futures.ThreadPoolExecutor(max_workers=5) as executor:
//       # Start the load operations and mark each future with its URL
//       future_to_url = {executor.submit(load_url, url, 60): url for url in URLS}
//       for future in concurrent.futures.as_completed(future_to_url):
//           url = future_to_url[future]
//           try:
//               data = future.result()
//           except Exception as exc:
//               print('%r generated an exception: %s' % (url, exc))
//           else:
//               print('%r page is %d bytes' % (url, len(data)))
//
// Here each task counts the primes below a limit. One limit is out of reach: it would run for
// hours, so once the others are done it is asked to stop (its task takes a std::stop_token, and
// returns when it sees the request) and its Future ends cancelled. In Python, cancel() of a
// running task returns False and the program waits for it. A negative limit raises, to show an
// exception coming back by its type.
#include <cstdint>
#include <iostream>
#include <map>
#include <stdexcept>
#include <stop_token>
#include <vector>

#include "../example_args.hpp"

static std::int64_t count_primes(std::stop_token stop, std::int64_t limit) {
  if (limit < 0) throw std::invalid_argument("a negative limit");
  std::int64_t count = 0;
  for (std::int64_t n = 2; n < limit; ++n) {
    if ((n & 0xffff) == 0 && stop.stop_requested()) return count;  // asked to stop: give up
    bool prime = true;
    for (std::int64_t d = 2; d * d <= n; ++d)
      if (n % d == 0) {
        prime = false;
        break;
      }
    count += prime;
  }
  return count;
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  const std::vector<std::int64_t> LIMITS = {10'000, 100'000, -1, 200'000, 1'000'000'000'000};
  mproc::ProcessPoolExecutor executor(3);
  // Start the counts and mark each future with its limit.
  std::vector<mproc::Future<std::int64_t>> futures;
  std::map<const void*, std::int64_t> future_to_limit;
  for (std::int64_t limit : LIMITS) {
    futures.push_back(executor.submit(count_primes, limit));
    future_to_limit[futures.back().state().get()] = limit;
  }
  auto& endless = futures.back();
  int finished = 0;
  std::vector<mproc::Future<std::int64_t>> reachable(futures.begin(), futures.end() - 1);
  for (const auto& future : mproc::futures::as_completed(reachable)) {
    std::int64_t limit = future_to_limit[future.state().get()];
    try {
      std::int64_t data = future.result();
      std::cout << limit << " has " << data << " primes below it" << std::endl;
      ++finished;
    } catch (const std::exception& exc) {
      std::cout << limit << " generated an exception: " << exc.what() << std::endl;
    }
  }
  // The last one is still running: ask it to stop, and give it a second before its worker is
  // terminated (it needs far less).
  std::cout << "running: " << (endless.running() ? "True" : "False") << std::endl;
  std::cout << "cancel: " << (endless.cancel(mproc::Cancel::terminate, 1.0) ? "True" : "False")
            << std::endl;
  try {
    endless.result(60);
  } catch (const mproc::CancelledError&) {
    std::cout << future_to_limit[endless.state().get()] << " was cancelled while it ran" << std::endl;
  }
  std::cout << finished << " finished, 1 failed, " << (endless.cancelled() ? 1 : 0)
            << " cancelled" << std::endl;
}
