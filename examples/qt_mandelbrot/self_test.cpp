#include "self_test.hpp"

#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QMetaObject>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "mandelbrot_window.hpp"

namespace {

constexpr int tick_ms = 50;             // the responsiveness probe's period
constexpr qint64 max_gap_ms = 500;      // longest pause of the event loop we accept
constexpr int slow_tile_ms = 500;       // a slow render: 70 tiles on 2 workers take ~18 s
constexpr int watchdog_ms = 90'000;     // a test that hangs fails here (ctest's limit: 120 s)
constexpr int workers_gone_s = 2;       // reaped a moment after the pool's join (all_gone)

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  std::fflush(stdout);
  if (!ok) ++failures;
}

// Whether this system shows processes as /proc entries (Linux). Elsewhere (Windows) the pid
// checks are skipped; what is left is that the job's `done` came after Pool::join returned.
bool can_watch_pids() { return std::filesystem::exists("/proc/self/stat"); }

// Whether process `pid` no longer exists at all: exited *and* reaped, so no zombie either (a
// zombie keeps its /proc entry).
bool process_gone(int pid) { return !std::filesystem::exists("/proc/" + std::to_string(pid)); }

// Polls under a short deadline. The window reports the end of a render after Pool::join
// returned, which joins every worker; but a worker's exit is reported just before its zombie is
// reaped (platform/posix/child_watch.cpp: so that its pid cannot be reused while the runtime
// still holds it), so its /proc entry may outlive join by a moment. A vanished pid sends no
// event to wait for, hence the polling.
bool all_gone(const std::vector<int>& pids) {
  if (!can_watch_pids()) return true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(workers_gone_s);
  for (;;) {
    bool gone = std::all_of(pids.begin(), pids.end(), process_gone);
    if (gone || std::chrono::steady_clock::now() > deadline) return gone;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string pid_list(const std::vector<int>& pids) {
  std::string out;
  for (int pid : pids) out += (out.empty() ? "" : " ") + std::to_string(pid);
  return out;
}

void arm_watchdog(QApplication& app) {
  QTimer::singleShot(watchdog_ms, &app, [&app] {
    check(false, "the test finished within " + std::to_string(watchdog_ms / 1000) + " s");
    app.exit(1);
  });
}

// Starts a slow render and calls `act` once, on the GUI thread, when the first tile arrived
// (the workers are busy then), after checking that the workers are alive.
void after_first_tile(MandelbrotWindow& window, std::vector<int>& pids,
                      std::function<void()> act) {
  window.on_started = [&pids](const std::vector<int>& started) { pids = started; };
  QObject::connect(window.progress_bar(), &QProgressBar::valueChanged, &window,
                   [&pids, act = std::move(act), acted = false](int value) mutable {
    if (acted || value < 1) return;
    acted = true;
    check(!pids.empty() &&
              (!can_watch_pids() || std::none_of(pids.begin(), pids.end(), process_gone)),
          "the workers (" + pid_list(pids) + ") are running after the first tile");
    act();
  });
  window.start_render(slow_tile_ms);
}

}  // namespace

int test_render(QApplication& app, const QString& screenshot_path) {
  MandelbrotWindow window{mandelbrot::View{}};
  window.show();
  // The probe: a 50 ms timer whose ticks stop coming if anything blocks the GUI thread.
  QElapsedTimer since_tick;
  qint64 max_gap = 0;
  bool probing = true;
  QTimer probe;
  QObject::connect(&probe, &QTimer::timeout, [&] {
    if (probing) max_gap = std::max(max_gap, since_tick.restart());
  });
  QElapsedTimer render_time;
  window.on_finished = [&](Outcome outcome) {
    probing = false;
    qint64 ms = render_time.elapsed();
    check(outcome == Outcome::finished,
          "the render finished (" + window.status_label()->text().toStdString() + ")");
    auto* bar = window.progress_bar();
    check(bar->maximum() > 1 && bar->value() == bar->maximum(),
          "the progress bar reached 100 % (" + std::to_string(bar->value()) + " of " +
              std::to_string(bar->maximum()) + " tiles, " + std::to_string(ms) + " ms)");
    check(max_gap < max_gap_ms, "the event loop kept running: its longest pause was " +
                                    std::to_string(max_gap) + " ms (limit " +
                                    std::to_string(max_gap_ms) + " ms, timer " +
                                    std::to_string(tick_ms) + " ms)");
    mandelbrot::View view;
    mandelbrot::Tile whole = mandelbrot::render_whole(view);
    QImage reference(reinterpret_cast<const uchar*>(whole.pixels.data()), whole.width,
                     whole.height, QImage::Format_RGB32);
    long differing = 0;
    for (int y = 0; y < view.height; ++y)
      for (int x = 0; x < view.width; ++x)
        differing += window.image().pixel(x, y) != reference.pixel(x, y);
    check(window.image().size() == reference.size() && differing == 0,
          "the pool's image equals the single-process render (" + std::to_string(differing) +
              " pixels differ)");
    bool saved = window.grab().save(screenshot_path, "PNG");
    check(saved, "screenshot saved to " + screenshot_path.toStdString());
    app.exit(failures == 0 ? 0 : 1);
  };
  QTimer::singleShot(0, &window, [&] {
    since_tick.start();
    probe.start(tick_ms);
    render_time.start();
    window.start_render();
  });
  arm_watchdog(app);
  return app.exec();
}

int test_cancel(QApplication& app) {
  MandelbrotWindow window{mandelbrot::View{}};
  window.show();
  std::vector<int> pids;
  after_first_tile(window, pids, [&window] {
    // Clicked through the event loop, as a user's click arrives.
    QMetaObject::invokeMethod(window.cancel_button(), &QPushButton::click, Qt::QueuedConnection);
  });
  window.on_finished = [&](Outcome outcome) {
    check(outcome == Outcome::cancelled, "the render was cancelled");
    check(window.status_label()->text() == "Cancelled",
          "the window says \"" + window.status_label()->text().toStdString() + "\"");
    auto* bar = window.progress_bar();
    check(bar->value() < bar->maximum(), "the progress bar stopped at " +
                                             std::to_string(bar->value()) + " of " +
                                             std::to_string(bar->maximum()) + " tiles");
    check(all_gone(pids),
          "the workers (" + pid_list(pids) + ") are gone, none left a zombie");
    app.exit(failures == 0 ? 0 : 1);
  };
  arm_watchdog(app);
  return app.exec();
}

int test_close(QApplication& app) {
  std::vector<int> pids;
  int code = 0;
  {
    MandelbrotWindow window{mandelbrot::View{}};
    window.show();
    after_first_tile(window, pids, [&window] {
      QMetaObject::invokeMethod(&window, &QWidget::close, Qt::QueuedConnection);
    });
    arm_watchdog(app);
    code = app.exec();  // ends when the last window closed
    check(code == 0, "the application quit when its window was closed");
    // Checked while the window still exists: its closeEvent, not its destructor, must have
    // stopped the workers.
    check(all_gone(pids),
          "the workers (" + pid_list(pids) + ") are gone, none left a zombie");
  }
  return failures == 0 ? 0 : 1;
}
